import { mkdtempSync, statSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { createDirectory } from '../../src/directory/index.js'
import { createLogger } from '../../src/observability/logger.js'
import { createSqliteStore, StoreUnavailableError, type Store } from '../../src/store/index.js'
import { openSqliteDatabase } from '../../src/store/sqlite/database.js'
import { createWalSync } from '../../src/store/sqlite/wal-sync.js'

const U = 'urn:ietf:params:scim:schemas:core:2.0:User'
const TOKEN = 'durable-test-token-abcdefghijklmnop'
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => { for (const c of cleanups.splice(0)) await c() })
const dbFile = (): string => join(mkdtempSync(join(tmpdir(), 'durable-')), 'bridge.db')

describe('the WAL fdatasync on a real file', () => {
  it('syncs the directory once, then keeps syncing the one -wal file through truncating checkpoints', async () => {
    const file = dbFile()
    const db = openSqliteDatabase(file, { durability: 'wal-datasync' })
    cleanups.push(async () => { db.close() })
    db.exec('CREATE TABLE t (v TEXT)')
    const opened: Array<{ path: string, handle: FileHandle }> = []
    const recordingOpen = (async (path: string, flags: string) => {
      const handle = await open(path, flags)
      opened.push({ path, handle })
      return handle
    }) as typeof open
    const wal = createWalSync(file, recordingOpen)
    cleanups.push(wal.close)
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    for (let i = 0; i < 5; i++) {
      insert.run(`row ${i}`)
      await wal.sync()
    }
    // The WAL shrunk to nothing and restarted by a checkpoint, then written again: same file.
    db.pragma('wal_checkpoint(TRUNCATE)')
    expect(statSync(`${file}-wal`).size).toBe(0)
    insert.run('after the checkpoint')
    await wal.sync()
    expect(opened.map((o) => o.path)).toEqual([`${file}-wal`, dirname(file)])
    const walHandle = opened[0]?.handle
    expect(walHandle).toBeDefined()
    const held = await walHandle?.stat()
    expect(held?.ino).toBe(statSync(`${file}-wal`).ino)
    expect(held?.size).toBeGreaterThan(0)
  })

  it('a directory that cannot be synced (some platforms cannot open one) does not fail the sync, as in SQLite', async () => {
    const file = dbFile()
    const db = openSqliteDatabase(file, { durability: 'wal-datasync' })
    cleanups.push(async () => { db.close() })
    db.exec('CREATE TABLE t (v TEXT)')
    const noDirectories = (async (path: string, flags: string) => {
      if (path === dirname(file)) throw Object.assign(new Error('EISDIR: illegal operation on a directory'), { code: 'EISDIR' })
      return await open(path, flags)
    }) as typeof open
    const wal = createWalSync(file, noDirectories)
    cleanups.push(wal.close)
    await expect(wal.sync()).resolves.toBeUndefined()
  })

  it('a -wal file that cannot be opened rejects the sync (the store then reports unavailable)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'durable-')), 'never-opened.db')
    const wal = createWalSync(file)
    await expect(wal.sync()).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

describe('a failed fdatasync reaches the IdP as a 503, never as a success', () => {
  it('the POST whose sync failed is a 503 with Retry-After, later writes too, ping says unavailable and /healthz fails', async () => {
    let failNext = false
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })
    const store: Store = createSqliteStore(dbFile(), { sync: async () => { if (failNext) throw eio } })
    const app = await buildApp({ logger: createLogger('silent'), scimBasePath: '/scim/v2', scimTokens: () => [TOKEN], directory: createDirectory(store), ...(store.fatal === undefined ? {} : { fatal: store.fatal }) })
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    cleanups.push(async () => { await app.close(); await store.close() })
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    const post = async (userName: string): Promise<Response> => await fetch(`${url}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [U], userName, active: true })
    })
    expect((await post('before@durable.example')).status).toBe(201)
    await store.ping()
    failNext = true
    const refused = await post('during@durable.example')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).not.toBeNull()
    expect(await refused.text()).not.toContain('EIO')
    failNext = false
    expect((await post('after@durable.example')).status).toBe(503)
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError)
    // Liveness fails too: only a restart recovers, so an orchestrator must be told to do it.
    const health = await fetch(`${url}/healthz`)
    expect(health.status).toBe(503)
    expect(await health.json()).toMatchObject({ status: 'failed', detail: expect.stringMatching(/restart/) })
  })
})
