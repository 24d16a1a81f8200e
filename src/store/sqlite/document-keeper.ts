import type { SqliteDatabase } from './database.js'

/** What a document was rendered from: the user's view row, its columns compared as stored. */
interface SourceRow { id: string, version: number }

interface Pending<R> { row: R, key: string, body: string }

/**
 * Keeps the user documents that reads rendered (DirectoryStore.userDocument), all those of one
 * turn of the event loop in one transaction after it, so a read never waits for a commit. A
 * document is kept only if the user's view row, read again inside that transaction, is still the
 * one it was rendered from: whatever wrote in between (this process or another), a stale document
 * is never kept. Keeping is best effort: a busy, full or read-only file, a store that refuses
 * writes (`mayKeep` false) or a closed handle drops the documents, and the next read renders again.
 */
export function createDocumentKeeper<R extends SourceRow> (db: SqliteDatabase, readRow: (id: string) => R | undefined, mayKeep: () => boolean) {
  const insert = db.prepare('INSERT OR REPLACE INTO user_documents (user_id, render_key, version, body) VALUES (?, ?, ?, ?)')
  let pending: Array<Pending<R>> = []
  const keepAll = db.transaction((batch: Array<Pending<R>>) => {
    for (const p of batch) {
      const now = readRow(p.row.id)
      if (now !== undefined && sameRow(now, p.row)) insert.run(p.row.id, p.key, p.row.version, p.body)
    }
  })
  const flush = (): void => {
    const batch = pending
    pending = []
    if (!db.open || !mayKeep()) return
    try {
      keepAll.immediate(batch)
    } catch (err) {
      if (!isSqliteError(err)) throw err
    }
  }
  return {
    keep (row: R, key: string, body: string): void {
      if (pending.length === 0) setImmediate(flush)
      pending.push({ row, key, body })
    }
  }
}

function sameRow<R extends SourceRow> (a: R, b: R): boolean {
  for (const k of Object.keys(b) as Array<keyof R>) if (a[k] !== b[k]) return false
  return true
}

function isSqliteError (err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && code.startsWith('SQLITE_')
}
