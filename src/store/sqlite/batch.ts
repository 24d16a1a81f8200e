import type { SqliteDatabase } from './database.js'
import { StoreUnavailableError } from '../unavailable.js'

interface Pending { fn: () => unknown, resolve: (v: unknown) => void, reject: (e: unknown) => void }

export type WriteBatcher = <T>(fn: () => T) => Promise<T>

/** Makes every commit written so far durable (an fdatasync of the WAL); rejects if the disk refused. */
export type DurableSync = () => Promise<void>

export interface DurableWrites {
  write: WriteBatcher
  /** Set once a sync failed: from then on every write is refused (the store is unavailable until a restart). */
  failure: () => StoreUnavailableError | null
  /** Settles every write already issued (their commit and their sync); for a clean close. */
  drain: () => Promise<void>
}

/**
 * Group commit: writes issued in the same turn of the event loop share one transaction, each
 * inside its own savepoint so one write's error (a taken userName) rolls back only that write.
 *
 * With `sync` (the WAL opened with synchronous=NORMAL), COMMIT only hands the WAL frames to the
 * OS, and the batch's promises settle once `sync` (run on libuv's threadpool) has made them
 * durable: the IdP's answer still follows durability, but the event loop serves other requests
 * during the fdatasync. Writes issued while a sync is in flight are held and committed together
 * when it returns, then share the next sync: one larger transaction writes each page it touches
 * to the WAL once, where one per turn would write the same index pages again and again. A
 * write's error waits for the sync too: it may rest on another write of the batch or
 * of an earlier one (the userName a not-yet-durable create took), so it must not be answered first.
 *
 * A failed sync poisons the store: the kernel may already have dropped the pages it could not
 * write (and report success to a retry), and later WAL frames are useless without earlier ones,
 * so every write of that group, every write committed after it and every later write is refused
 * as unavailable (a 503, never a false success) until the process restarts and SQLite recovers
 * from what is on the disk.
 *
 * Without `sync` (synchronous=FULL, or an in-memory database) the promises settle after COMMIT.
 *
 * A worker_thread owning a second connection frees the event loop as well (bench/durable-commit:
 * the same writes/s and reads/s within noise), but every write transaction and the records it
 * returns would have to cross a thread boundary; the fdatasync alone moving is the smaller change.
 */
export function createDurableWrites (db: SqliteDatabase, opts: { sync?: DurableSync } = {}): DurableWrites {
  const sql = (text: string): (() => void) => { const st = db.prepare(text); return () => { st.run() } }
  const begin = sql('BEGIN IMMEDIATE')
  const commit = sql('COMMIT')
  const savepoint = sql('SAVEPOINT w')
  const release = sql('RELEASE w')
  const rollbackTo = sql('ROLLBACK TO w')
  const sync = opts.sync
  let pending: Pending[] = []
  /** Committed batches whose sync has not started yet (with the sync on, only until it starts). */
  let committed: Array<() => void> = []
  let syncing: Promise<void> | null = null
  let failure: StoreUnavailableError | null = null
  const failWaiting = (): void => {
    const waiting = committed
    committed = []
    for (const settle of waiting) settle()
  }
  const startSync = (): void => {
    if (sync === undefined) return
    const group = committed
    committed = []
    syncing = sync().then(
      () => { for (const settle of group) settle() },
      (err: unknown) => {
        failure ??= new StoreUnavailableError({ cause: err })
        for (const settle of group) settle()
      }
    ).finally(() => {
      syncing = null
      if (failure !== null) failWaiting()
      else if (committed.length > 0) startSync()
      // The writes held while this sync ran: one transaction now (it starts the next sync).
      if (pending.length > 0) flush()
    })
  }
  const flush = (): void => {
    const batch = pending
    pending = []
    if (batch.length === 0) return
    if (failure !== null) {
      for (const p of batch) p.reject(failure)
      return
    }
    const results: Array<{ ok: boolean, value: unknown }> = []
    try {
      begin()
      for (const p of batch) {
        savepoint()
        try {
          results.push({ ok: true, value: p.fn() })
          release()
        } catch (err) {
          rollbackTo()
          release()
          results.push({ ok: false, value: err })
        }
      }
      commit()
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK')
      for (const p of batch) p.reject(err)
      return
    }
    // Settles each write with its own outcome, or, if the sync failed, refuses them all.
    const settle = (): void => {
      batch.forEach((p, i) => {
        const r = results[i]
        if (failure !== null) p.reject(failure)
        else if (r?.ok === true) p.resolve(r.value)
        else p.reject(r?.value)
      })
    }
    if (sync === undefined) { settle(); return }
    committed.push(settle)
    if (syncing === null) startSync()
  }
  const write: WriteBatcher = async <T>(fn: () => T): Promise<T> => await new Promise<T>((resolve, reject) => {
    // While a sync runs, its end flushes; otherwise the end of this turn does.
    if (pending.length === 0 && syncing === null) setImmediate(flush)
    pending.push({ fn, resolve: resolve as (v: unknown) => void, reject })
  })
  return {
    write,
    failure: () => failure,
    drain: async () => {
      // A flush scheduled for this turn runs first, then its sync (and any sync after it).
      await new Promise((resolve) => setImmediate(resolve))
      while (syncing !== null) await syncing
    }
  }
}
