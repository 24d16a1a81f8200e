import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const TOKEN_FILE = 'scim-token'

export function generateToken (): string {
  return randomBytes(32).toString('base64url')
}

export function tokenPath (dataDir: string): string {
  return join(dataDir, TOKEN_FILE)
}

/**
 * Writes atomically with mode 0600 in a folder created 0700: the token is a credential, and the
 * folder also holds the SQLite directory; readable by the bridge's user only.
 */
export function writeTokenFile (dataDir: string, token: string | string[]): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const path = tokenPath(dataDir)
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${(typeof token === 'string' ? [token] : token).join('\n')}\n`, { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
  return path
}

/** The sandbox token survives restarts so a configured IdP app keeps working. */
export function readOrCreateToken (dataDir: string): { token: string, created: boolean, path: string } {
  const path = tokenPath(dataDir)
  if (existsSync(path)) {
    const token = readTokenFile(dataDir)[0] ?? ''
    if (token.length >= 16) return { token, created: false, path }
  }
  const token = generateToken()
  writeTokenFile(dataDir, token)
  return { token, created: true, path }
}

/** The tokens in the file, newest first (one a line); empty when there is none. */
export function readTokenFile (dataDir: string): string[] {
  const path = tokenPath(dataDir)
  if (!existsSync(path)) return []
  return readFileSync(path, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
}

/**
 * A new token first, the previous one kept second: the bridge accepts both after a restart, so the
 * IdP keeps working until it is given the new one; the next rotation drops the old one.
 */
export function rotateTokenFile (dataDir: string): { token: string, kept: number, path: string } {
  const previous = readTokenFile(dataDir).slice(0, 1)
  const token = generateToken()
  const path = writeTokenFile(dataDir, [token, ...previous])
  return { token, kept: previous.length, path }
}
