import { existsSync, readFileSync } from 'node:fs'
import { parse as parseDotenv } from 'dotenv'
import { crossCheck, EnvSchema } from './schema.js'
import { toConfig, type Config } from './config.js'
import { readSecretFiles, SECRET_FILE_KEYS, type SecretKey } from './secret-files.js'

export type LoadResult = { ok: true, config: Config } | { ok: false, problems: string[] }

const KNOWN_KEYS = [...Object.keys(EnvSchema.shape), ...Object.values(SECRET_FILE_KEYS)]
const FILE_KEYS = new Set<string>(Object.values(SECRET_FILE_KEYS))

/**
 * Reads the process environment over an optional `.env` file (the environment wins, as with
 * every twelve-factor tool). Empty strings count as unset so `FOO=` in a compose file is harmless.
 */
export function loadConfig (env: NodeJS.ProcessEnv = process.env, dotenvPath = '.env'): LoadResult {
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {}
  const merged: Record<string, string> = {}
  for (const key of KNOWN_KEYS) {
    const value = env[key] ?? fromFile[key]
    if (value !== undefined && value !== '') merged[key] = value
  }
  const files = readSecretFiles(merged)
  const settings: Record<string, string> = {}
  for (const [key, value] of Object.entries(merged)) if (!FILE_KEYS.has(key)) settings[key] = value
  Object.assign(settings, files.values)
  const parsed = EnvSchema.safeParse(settings)
  const cross = crossCheck(settings).map((c) => `${c.key}: ${c.message}`)
  if (parsed.success && cross.length === 0 && files.problems.length === 0) return { ok: true, config: toConfig(parsed.data) }
  // One line per problem, naming the variable (and the file it came from); never the value, which may be a secret.
  const problems = (parsed.success ? [] : parsed.error.issues).map((issue) => {
    const key = issue.path.length > 0 ? String(issue.path[0]) : 'configuration'
    const source = files.sources[key as SecretKey]
    return `${key}${source === undefined ? '' : ` (from ${source})`}: ${describe(issue.message)}`
  })
  return { ok: false, problems: [...new Set([...files.problems, ...problems, ...cross])] }
}

/**
 * What `token` needs, even while the rest of the configuration is incomplete (a live setup has no
 * token until `token` creates one): where the token file lives, and which setting overrides it.
 */
export function loadTokenSetup (env: NodeJS.ProcessEnv = process.env, dotenvPath = '.env'): { dataDir: string, overriddenBy: 'SCIM_BEARER_TOKEN' | 'SCIM_BEARER_TOKEN_FILE' | null } {
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {}
  const read = (key: string): string | undefined => {
    const v = (env[key] ?? fromFile[key])?.trim()
    return v === '' ? undefined : v
  }
  const dataDir = EnvSchema.shape.DATA_DIR.parse(read('DATA_DIR'))
  const overriddenBy = read('SCIM_BEARER_TOKEN') !== undefined ? 'SCIM_BEARER_TOKEN' : read('SCIM_BEARER_TOKEN_FILE') !== undefined ? 'SCIM_BEARER_TOKEN_FILE' : null
  return { dataDir, overriddenBy }
}

function describe (message: string): string {
  // zod's enum messages quote the allowed options, which is what an admin needs; keep them.
  return message.replace(/^Invalid input: /, '')
}
