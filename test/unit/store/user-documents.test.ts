import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createStore, type Store } from '../../../src/store/index.js'
import type { UserRead, UserView } from '../../../src/store/directory-store.js'
import { KEEP_DELAY_MS } from '../../../src/store/sqlite/document-keeper.js'

const user = (name: string) => ({ userName: name, externalId: null, displayName: null, active: true, emails: [], resource: { userName: name } })
const group = (name: string, memberIds: string[]) => ({ displayName: name, externalId: null, memberIds, resource: { displayName: name } })
const member = (scimUserId: string, status: 'ACTIVE' | 'PENDING') => ({ projectId: 'p1', email: 'a@example.com', sinchUserId: 's1', role: 'MEMBER' as const, status, scimUserId, origin: 'invited' as const, seenAt: new Date().toISOString() })

/** A renderer that shows what it was rendered from and counts its renders. */
function counting () {
  const c = {
    renders: 0,
    render: (v: UserView): string => JSON.stringify({ n: ++c.renders, version: v.record.version, active: v.record.active, groups: v.groups.map((g) => g.displayName), members: v.members.map((m) => m.status), ops: v.ops.map((o) => o.state) })
  }
  return c
}
/** Long enough for the keeper to keep what the reads before it rendered. */
const turn = async (): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, KEEP_DELAY_MS + 20)) }
const body = (r: UserRead | null): Record<string, unknown> => {
  if (r === null || !('body' in r)) throw new Error(`expected a document, got ${JSON.stringify(r)}`)
  return JSON.parse(r.body) as Record<string, unknown>
}

describe('kept user documents (SQLite)', () => {
  let store: Store
  let file: string
  afterEach(async () => { await store.close() })
  const open = async (opts: { connectTimeoutMs?: number } = {}): Promise<Store> => {
    file = join(mkdtempSync(join(tmpdir(), 'docs-')), 'bridge.db')
    store = await createStore(`sqlite:${file}`, opts)
    return store
  }
  const stats = () => (store.documentStats as NonNullable<Store['documentStats']>)()
  /** A read, then the turn of the event loop after it, in which what it rendered is kept. */
  const read = async (id: string, c: ReturnType<typeof counting>, key = 'k1') => {
    const r = await (store.userDocument as NonNullable<Store['userDocument']>)(id, key, c.render)
    await turn()
    return r
  }

  it('renders once, then serves the kept document until the user changes', async () => {
    await open()
    const c = counting()
    const u = await store.createUser(user('a@example.com'))
    expect(body(await read(u.id, c))).toMatchObject({ n: 1, version: 1 })
    expect(body(await read(u.id, c))).toMatchObject({ n: 1, version: 1 })
    expect((await read(u.id, c) as { version: number }).version).toBe(1)
    expect(stats()).toEqual({ served: 2, rendered: 1, kept: 1, changed: 0, failed: 0 })
    await store.updateUser(u.id, { ...user('a@example.com'), active: false }, null)
    expect(body(await read(u.id, c))).toMatchObject({ n: 2, version: 2, active: false })
    expect(stats()).toEqual({ served: 2, rendered: 2, kept: 2, changed: 0, failed: 0 })
  })

  it('renders again after each change of what the document was rendered from', async () => {
    await open()
    const c = counting()
    const u = await store.createUser(user('a@example.com'))
    const other = await store.createUser(user('b@example.com'))
    const seen = async () => body(await read(u.id, c))
    expect(await seen()).toMatchObject({ n: 1, groups: [] })
    const g = await store.createGroup(group('Sales', [u.id]))
    expect(await seen()).toMatchObject({ n: 2, groups: ['Sales'] })
    await store.updateGroup(g.id, group('Sales EMEA', [u.id]), null)
    expect(await seen()).toMatchObject({ n: 3, groups: ['Sales EMEA'] })
    await store.updateGroup(g.id, group('Sales EMEA', [other.id]), null)
    expect(await seen()).toMatchObject({ n: 4, groups: [] })
    await store.updateGroup(g.id, group('Sales EMEA', [other.id, u.id]), null)
    expect(await seen()).toMatchObject({ n: 5, groups: ['Sales EMEA'] })
    await store.deleteGroup(g.id, null)
    expect(await seen()).toMatchObject({ n: 6, groups: [] })
    await store.upsertKnownMember(member(u.id, 'PENDING'))
    expect(await seen()).toMatchObject({ n: 7, members: ['PENDING'] })
    await store.upsertKnownMember(member(u.id, 'ACTIVE'))
    expect(await seen()).toMatchObject({ n: 8, members: ['ACTIVE'] })
    await store.deleteKnownMember('p1', 'a@example.com')
    expect(await seen()).toMatchObject({ n: 9, members: [] })
    await store.setOpState({ userId: u.id, projectId: 'p1', state: 'failed', lastError: 'refused', attempts: 1, updatedAt: new Date().toISOString() })
    expect(await seen()).toMatchObject({ n: 10, ops: ['failed'] })
    await store.setOpState({ userId: u.id, projectId: 'p1', state: 'done', lastError: null, attempts: 2, updatedAt: new Date().toISOString() })
    expect(await seen()).toMatchObject({ n: 11, ops: [] })
    // A change of someone else leaves this document alone.
    await store.updateUser(other.id, { ...user('b@example.com'), active: false }, null)
    expect(await seen()).toMatchObject({ n: 11 })
  })

  it('serves nothing for a deleted user, and never another renderer\'s document', async () => {
    await open()
    const c = counting()
    const u = await store.createUser(user('a@example.com'))
    expect(body(await read(u.id, c))).toMatchObject({ n: 1 })
    expect(body(await read(u.id, c, 'k2'))).toMatchObject({ n: 2 })
    await store.deleteUser(u.id, null)
    expect(await read(u.id, c)).toBeNull()
    expect(await read('no-such-id', c)).toBeNull()
  })

  it('serves the view, keeping nothing, where the renderer gives null; a renderer error is the read\'s', async () => {
    await open()
    const u = await store.createUser(user('a@example.com'))
    let calls = 0
    const refuse = (): null => { calls++; return null }
    const first = await (store.userDocument as NonNullable<Store['userDocument']>)(u.id, 'k1', refuse)
    expect(first).toMatchObject({ record: { id: u.id } })
    await turn()
    await (store.userDocument as NonNullable<Store['userDocument']>)(u.id, 'k1', refuse)
    expect(calls).toBe(2)
    await expect((store.userDocument as NonNullable<Store['userDocument']>)(u.id, 'k1', () => { throw new Error('render failed') })).rejects.toThrow('render failed')
  })

  it('answers, rendered but not kept and without waiting for the lock, while another connection holds the write lock', async () => {
    // The store waits 5 s for a lock its writes need; keeping a document must not wait at all.
    await open({ connectTimeoutMs: 5000 })
    const started = Date.now()
    const c = counting()
    const u = await store.createUser(user('a@example.com'))
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE')
    try {
      expect(body(await read(u.id, c))).toMatchObject({ n: 1 })
      expect(body(await read(u.id, c))).toMatchObject({ n: 2 })
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    expect(Date.now() - started).toBeLessThan(2000)
    expect(stats()).toMatchObject({ rendered: 2, kept: 0, failed: 2 })
    expect(body(await read(u.id, c))).toMatchObject({ n: 3 })
    expect(body(await read(u.id, c))).toMatchObject({ n: 3 })
    expect(stats()).toEqual({ served: 1, rendered: 3, kept: 1, changed: 0, failed: 2 })
  })

  it.each(['while it was being rendered', 'after its read, before its keeping'])('never keeps a document whose user another connection changed %s', async (when) => {
    await open()
    const c = counting()
    const u = await store.createUser(user('a@example.com'))
    const other = new Database(file)
    const deactivate = (): void => { other.prepare('UPDATE users SET active = 0, version = version + 1 WHERE id = ?').run(u.id) }
    // During rendering: after the view was read, before the read is over.
    let writeWhileRendering = when.startsWith('while')
    const render = (v: UserView): string | null => {
      if (writeWhileRendering) { writeWhileRendering = false; deactivate() }
      return c.render(v)
    }
    expect(body(await (store.userDocument as NonNullable<Store['userDocument']>)(u.id, 'k1', render))).toMatchObject({ n: 1, active: true, version: 1 })
    if (!when.startsWith('while')) deactivate()
    other.close()
    await turn()
    expect(stats()).toMatchObject({ rendered: 1, kept: 0, changed: 1 })
    expect(body(await read(u.id, c))).toMatchObject({ n: 2, active: false, version: 2 })
    expect(body(await read(u.id, c))).toMatchObject({ n: 2 })
  })

  it('never keeps a document whose user this process changed between its read and its keeping', async () => {
    await open()
    const c = counting()
    const u = await store.createUser(user('a@example.com'))
    const g = await store.createGroup(group('Sales', []))
    expect(body(await (store.userDocument as NonNullable<Store['userDocument']>)(u.id, 'k1', c.render))).toMatchObject({ n: 1, groups: [] })
    await store.updateGroup(g.id, group('Sales', [u.id]), null)
    await turn()
    expect(body(await read(u.id, c))).toMatchObject({ n: 2, groups: ['Sales'] })
    expect(body(await read(u.id, c))).toMatchObject({ n: 2 })
  })

  it('lists documents: kept ones as they are, the others rendered and kept, filters and paging as for views', async () => {
    await open()
    const c = counting()
    const ids = []
    for (const n of ['a', 'b', 'c']) ids.push((await store.createUser(user(`${n}@example.com`))).id)
    const list = async (q: Parameters<Store['queryUserViews']>[0]) => {
      const r = await (store.queryUserDocuments as NonNullable<Store['queryUserDocuments']>)(q, 'k1', c.render)
      await turn()
      return r
    }
    expect(body(await read(ids[1] as string, c))).toMatchObject({ n: 1 })
    const all = await list({ where: null, sortBy: 'userName', descending: false, offset: 0, limit: 10 })
    expect(all.total).toBe(3)
    expect(all.records.map((r) => body(r).n).sort()).toEqual([1, 2, 3])
    const again = await list({ where: null, sortBy: 'userName', descending: false, offset: 0, limit: 10 })
    expect(again.records.map((r) => body(r).n)).toEqual(all.records.map((r) => body(r).n))
    const one = await list({ where: [[{ attr: 'userName', op: 'eq', value: 'c@example.com', negate: false }]], sortBy: null, descending: false, offset: 0, limit: 10 })
    expect(one.total).toBe(1)
    expect(body(one.records[0] as UserRead)).toEqual(body(all.records[2] as UserRead))
    const page = await list({ where: null, sortBy: 'userName', descending: true, offset: 1, limit: 1 })
    expect(page.total).toBe(3)
    expect(body(page.records[0] as UserRead)).toEqual(body(all.records[1] as UserRead))
    expect(c.renders).toBe(3)
  })
})
