import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createDurableWrites, type DurableSync } from '../../../src/store/sqlite/batch.js'
import { openSqliteDatabase, type SqliteDatabase } from '../../../src/store/sqlite/database.js'
import { StoreUnavailableError } from '../../../src/store/unavailable.js'

/** A sync the test finishes by hand: each call waits until `finish` (or `fail`) for it. */
function manualSync (): { sync: DurableSync, calls: number, finish: () => void, fail: (err: Error) => void, log: string[] } {
  const waiting: Array<{ resolve: () => void, reject: (e: Error) => void }> = []
  const s = {
    calls: 0,
    log: [] as string[],
    sync: async () => await new Promise<void>((resolve, reject) => { s.calls++; s.log.push(`sync ${s.calls}`); waiting.push({ resolve, reject }) }),
    finish: () => { const w = waiting.shift(); if (w === undefined) throw new Error('no sync in flight'); w.resolve() },
    fail: (err: Error) => { const w = waiting.shift(); if (w === undefined) throw new Error('no sync in flight'); w.reject(err) }
  }
  return s
}

const turns = async (n = 5): Promise<void> => { for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve)) }

let db: SqliteDatabase | null = null
const open = (): SqliteDatabase => {
  db = openSqliteDatabase(join(mkdtempSync(join(tmpdir(), 'durable-')), 'd.db'), { durability: 'wal-datasync' })
  db.exec('CREATE TABLE t (v INTEGER UNIQUE)')
  return db
}
afterEach(() => { db?.close(); db = null })

describe('durable writes: an answer follows the fdatasync of its commit', () => {
  it('opens the WAL with synchronous=NORMAL: COMMIT itself no longer fsyncs', () => {
    expect(open().pragma('synchronous', { simple: true })).toBe(1)
  })

  it('a write is committed before the sync starts and resolves only once the sync is done', async () => {
    const d = open()
    const s = manualSync()
    const w = createDurableWrites(d, { sync: s.sync })
    let settled = false
    const p = w.write(() => d.prepare('INSERT INTO t VALUES (1)').run().changes).finally(() => { settled = true })
    await turns()
    expect(s.calls).toBe(1)
    expect(d.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1)
    expect(settled).toBe(false)
    s.finish()
    await expect(p).resolves.toBe(1)
  })

  it('writes of one turn share a sync; writes issued while it runs are held, then committed together and share the next one', async () => {
    const d = open()
    const s = manualSync()
    const w = createDurableWrites(d, { sync: s.sync })
    const first = [1, 2, 3].map(async (v) => await w.write(() => { s.log.push(`write ${v}`); return d.prepare('INSERT INTO t VALUES (?)').run(v).changes }))
    await turns()
    // Three more turns, all while the first sync is in flight.
    const later: Array<Promise<number>> = []
    for (const v of [4, 5, 6]) {
      later.push(w.write(() => { s.log.push(`write ${v}`); return d.prepare('INSERT INTO t VALUES (?)').run(v).changes }))
      await turns()
    }
    expect(s.calls).toBe(1)
    expect(d.prepare('SELECT count(*) FROM t').pluck().get()).toBe(3)
    let laterSettled = false
    void Promise.allSettled(later).then(() => { laterSettled = true })
    s.finish()
    await expect(Promise.all(first)).resolves.toEqual([1, 1, 1])
    await turns()
    expect(s.calls).toBe(2)
    expect(laterSettled).toBe(false)
    s.finish()
    await expect(Promise.all(later)).resolves.toEqual([1, 1, 1])
    expect(s.log).toEqual(['write 1', 'write 2', 'write 3', 'sync 1', 'write 4', 'write 5', 'write 6', 'sync 2'])
    expect(s.calls).toBe(2)
  })

  it("a write's own error (a taken value) waits for the sync too: it may rest on a commit not yet durable", async () => {
    const d = open()
    const s = manualSync()
    const w = createDurableWrites(d, { sync: s.sync })
    const ok = w.write(() => d.prepare('INSERT INTO t VALUES (7)').run().changes)
    const taken = w.write(() => d.prepare('INSERT INTO t VALUES (7)').run().changes)
    let settled = false
    void taken.catch(() => {}).finally(() => { settled = true })
    await turns()
    expect(settled).toBe(false)
    s.finish()
    await expect(ok).resolves.toBe(1)
    await expect(taken).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' })
  })

  it('a failed sync (EIO) refuses its group, the writes behind it and every later write as unavailable', async () => {
    const d = open()
    const s = manualSync()
    const w = createDurableWrites(d, { sync: s.sync })
    const group = [1, 2].map(async (v) => await w.write(() => d.prepare('INSERT INTO t VALUES (?)').run(v).changes))
    await turns()
    const behind = w.write(() => d.prepare('INSERT INTO t VALUES (3)').run().changes)
    await turns()
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })
    s.fail(eio)
    for (const p of [...group, behind]) {
      const err = await p.then(() => null, (e: unknown) => e)
      expect(err).toBeInstanceOf(StoreUnavailableError)
      expect((err as StoreUnavailableError).cause).toBe(eio)
    }
    expect(w.failure()).toBeInstanceOf(StoreUnavailableError)
    let ran = false
    await expect(w.write(() => { ran = true })).rejects.toBeInstanceOf(StoreUnavailableError)
    expect(ran).toBe(false)
    expect(s.calls).toBe(1)
  })

  it('drain waits for the commit of this turn and for its sync', async () => {
    const d = open()
    const s = manualSync()
    const w = createDurableWrites(d, { sync: s.sync })
    const p = w.write(() => d.prepare('INSERT INTO t VALUES (1)').run().changes)
    let drained = false
    const drain = w.drain().then(() => { drained = true })
    await turns()
    expect(drained).toBe(false)
    s.finish()
    await drain
    await expect(p).resolves.toBe(1)
  })

  it('without a sync (synchronous=FULL) a write resolves right after its COMMIT', async () => {
    const d = openSqliteDatabase(join(mkdtempSync(join(tmpdir(), 'durable-')), 'f.db'))
    db = d
    expect(d.pragma('synchronous', { simple: true })).toBe(2)
    d.exec('CREATE TABLE t (v INTEGER)')
    const w = createDurableWrites(d)
    await expect(w.write(() => d.prepare('INSERT INTO t VALUES (1)').run().changes)).resolves.toBe(1)
  })
})
