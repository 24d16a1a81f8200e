/**
 * SQLITE_BUSY (another connection, e.g. the CLI, holds the write lock past busy_timeout) and
 * SQLITE_LOCKED, with their extended codes (https://www.sqlite.org/rescode.html): the file is
 * fine and a later retry will get in. Every other SQLite error is a real error.
 */
export function isSqliteUnavailable (err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
}

/** Any error SQLite itself raised (better-sqlite3's SqliteError carries its SQLITE_… code). */
export function isSqliteError (err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_')
}
