import type { SqliteDatabase } from './database.js'

interface Pending { fn: () => unknown, resolve: (v: unknown) => void, reject: (e: unknown) => void }

export type WriteBatcher = <T>(fn: () => T) => Promise<T>

/**
 * Group commit: writes issued in the same turn of the event loop share one transaction and one
 * fsync, each inside its own savepoint so one write's error (a taken userName) rolls back only
 * that write. Every promise settles after COMMIT returns: an answer still follows durability.
 */
export function createWriteBatcher (db: SqliteDatabase): WriteBatcher {
  const sql = (text: string): (() => void) => { const st = db.prepare(text); return () => { st.run() } }
  const begin = sql('BEGIN IMMEDIATE')
  const commit = sql('COMMIT')
  const savepoint = sql('SAVEPOINT w')
  const release = sql('RELEASE w')
  const rollbackTo = sql('ROLLBACK TO w')
  let pending: Pending[] = []
  const flush = (): void => {
    const batch = pending
    pending = []
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
    batch.forEach((p, i) => {
      const r = results[i]
      if (r?.ok === true) p.resolve(r.value)
      else p.reject(r?.value)
    })
  }
  return async <T>(fn: () => T): Promise<T> => await new Promise<T>((resolve, reject) => {
    if (pending.length === 0) setImmediate(flush)
    pending.push({ fn, resolve: resolve as (v: unknown) => void, reject })
  })
}
