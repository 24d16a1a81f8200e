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
export function writeTokenFile (dataDir: string, token: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const path = tokenPath(dataDir)
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
  return path
}

/** The sandbox token survives restarts so a configured IdP app keeps working. */
export function readOrCreateToken (dataDir: string): { token: string, created: boolean, path: string } {
  const path = tokenPath(dataDir)
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim()
    if (token.length >= 16) return { token, created: false, path }
  }
  const token = generateToken()
  writeTokenFile(dataDir, token)
  return { token, created: true, path }
}
