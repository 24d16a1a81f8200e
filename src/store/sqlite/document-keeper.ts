import type { SqliteDatabase } from './database.js'
import type { DocumentStats } from '../directory-store.js'
import { isSqliteError } from './errors.js'

/** What a document was rendered from: the user's view row, its columns compared as stored. */
interface SourceRow { id: string, version: number }

interface Pending<R> { row: R, key: string, body: string, stamp: string }

/**
 * How long rendered documents wait to be kept, and how many at most: one transaction then keeps
 * them all. A keep is ~1.5 KB on a random page of the index: per document, a commit of 5 cost
 * 26.5 µs and one of 50 cost 11.5 µs (100,000 users, without the checkpoints both pay). The
 * transaction holds the event loop, so it is kept short: 64 documents, under a millisecond.
 */
export const KEEP_DELAY_MS = 50
export const KEEP_BATCH_MAX = 64

/**
 * Keeps the user documents that reads rendered (DirectoryStore.userDocument) a little after the
 * reads, many in one transaction, so a read never waits for a commit. A document is kept only if
 * nothing it was rendered from can have changed since its read: either nothing at all was written
 * since (this connection's total_changes() and SQLite's data_version, which moves when another
 * connection commits, are both as they were at the read), or the user's view row, read again
 * inside the keeping transaction, is still the one it was rendered from. Whoever wrote in
 * between, a stale document is never kept. Keeping is best effort: a file locked by another
 * connection (not waited for), full or read-only, a store that refuses writes (`mayKeep` false)
 * or a closed handle drops the documents, and the next read renders again.
 */
export function createDocumentKeeper<R extends SourceRow> (db: SqliteDatabase, readRow: (id: string) => R | undefined, mayKeep: () => boolean) {
  const insert = db.prepare('INSERT OR REPLACE INTO user_documents (user_id, render_key, version, body) VALUES (?, ?, ?, ?)')
  const totalChanges = db.prepare('SELECT total_changes()').pluck()
  const dataVersion = db.prepare('PRAGMA data_version').pluck()
  const stamp = (): string => `${String(totalChanges.get())}/${String(dataVersion.get())}`
  let pending = new Map<string, Pending<R>>()
  let timer: NodeJS.Timeout | null = null
  const counts: Pick<DocumentStats, 'kept' | 'changed' | 'failed'> = { kept: 0, changed: 0, failed: 0 }
  /** Documents kept and changed by the batch being kept: counted once its transaction committed. */
  const keepAll = db.transaction((batch: Iterable<Pending<R>>, now: string): { kept: number, changed: number } => {
    const n = { kept: 0, changed: 0 }
    for (const p of batch) {
      if (p.stamp !== now) {
        const current = readRow(p.row.id)
        if (current === undefined || !sameRow(current, p.row)) { n.changed++; continue }
      }
      insert.run(p.row.id, p.key, p.row.version, p.body)
      n.kept++
    }
    return n
  })
  const flush = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    const batch = pending
    pending = new Map()
    if (batch.size === 0) return
    if (!db.open || !mayKeep()) { counts.failed += batch.size; return }
    // The wait for a lock another connection holds blocks the event loop (better-sqlite3 is
    // synchronous): worth it for a write the IdP waits on, never for a copy.
    const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number
    db.pragma('busy_timeout = 0')
    try {
      const n = keepAll.immediate(batch.values(), stamp())
      counts.kept += n.kept
      counts.changed += n.changed
    } catch (err) {
      if (!isSqliteError(err)) throw err
      counts.failed += batch.size
    } finally {
      db.pragma(`busy_timeout = ${busyTimeout}`)
    }
  }
  return {
    counts: (): Pick<DocumentStats, 'kept' | 'changed' | 'failed'> => ({ ...counts }),
    /** What has been written so far, for `keep`: taken just before the read a document is rendered from. */
    stamp,
    /** `body`, rendered from `row` as read right after `stamp` was taken, to be kept under `key`. */
    keep (row: R, key: string, body: string, stamp: string): void {
      pending.set(row.id, { row, key, body, stamp })
      if (pending.size >= KEEP_BATCH_MAX) flush()
      else timer ??= setTimeout(flush, KEEP_DELAY_MS).unref()
    }
  }
}

function sameRow<R extends SourceRow> (a: R, b: R): boolean {
  for (const k of Object.keys(b) as Array<keyof R>) if (a[k] !== b[k]) return false
  return true
}
