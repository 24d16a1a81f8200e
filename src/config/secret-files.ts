import { existsSync, readFileSync } from 'node:fs'
import { tokenPath } from './token-file.js'

/**
 * Every secret setting may come from a file instead (`X_FILE=/run/secrets/x`): Docker and
 * Kubernetes secrets are mounted as files, and a file stays out of `ps e`, `docker inspect` and
 * crash dumps of the environment.
 */
export const SECRET_FILE_KEYS = {
  SCIM_BEARER_TOKEN: 'SCIM_BEARER_TOKEN_FILE',
  SINCH_KEY_SECRET: 'SINCH_KEY_SECRET_FILE',
  ADMIN_TOKEN: 'ADMIN_TOKEN_FILE',
  METRICS_TOKEN: 'METRICS_TOKEN_FILE',
  DATABASE_URL: 'DATABASE_URL_FILE'
} as const

export type SecretKey = keyof typeof SECRET_FILE_KEYS

export interface SecretFileResult {
  /** Values read from files, by the setting they stand for. */
  values: Partial<Record<SecretKey, string>>
  /** Where a value came from, to name the file rather than the variable in a problem. */
  sources: Partial<Record<SecretKey, string>>
  problems: string[]
}

/** A token file holds one token per line (newest first); the setting itself is comma-separated. */
function content (key: SecretKey, text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
  return key === 'SCIM_BEARER_TOKEN' ? lines.join(',') : lines.join('\n')
}

/**
 * Reads the `_FILE` settings from `raw` (already merged from the environment and .env). Setting a
 * value and its file both is refused: which one wins would be a guess. Without SCIM_BEARER_TOKEN
 * the token file `token` writes (<DATA_DIR>/scim-token) is read, in every mode.
 */
export function readSecretFiles (raw: Record<string, string | undefined>): SecretFileResult {
  const out: SecretFileResult = { values: {}, sources: {}, problems: [] }
  for (const [key, fileKey] of Object.entries(SECRET_FILE_KEYS) as Array<[SecretKey, string]>) {
    const file = raw[fileKey]
    if (file === undefined) continue
    if (raw[key] !== undefined) {
      out.problems.push(`${fileKey}: set either ${key} or ${fileKey}, not both`)
      continue
    }
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (err) {
      // The path is not a secret; the error code says what to fix (ENOENT, EACCES, EISDIR).
      out.problems.push(`${fileKey}: cannot read "${file}" (${(err as { code?: string }).code ?? 'error'})`)
      continue
    }
    const value = content(key, text)
    if (value === '') {
      out.problems.push(`${fileKey}: "${file}" is empty`)
      continue
    }
    out.values[key] = value
    out.sources[key] = `${fileKey} "${file}"`
  }
  if (raw.SCIM_BEARER_TOKEN === undefined && raw.SCIM_BEARER_TOKEN_FILE === undefined) {
    const path = tokenPath((raw.DATA_DIR ?? './data').trim())
    if (existsSync(path)) {
      try {
        const value = content('SCIM_BEARER_TOKEN', readFileSync(path, 'utf8'))
        if (value !== '') {
          out.values.SCIM_BEARER_TOKEN = value
          out.sources.SCIM_BEARER_TOKEN = `token file "${path}"`
        }
      } catch (err) {
        out.problems.push(`SCIM_BEARER_TOKEN: cannot read the token file "${path}" (${(err as { code?: string }).code ?? 'error'})`)
      }
    }
  }
  return out
}
