import { afterEach, describe, expect, it } from 'vitest'
import type { Store } from '../../src/store/index.js'
import type { UserInput } from '../../src/domain/users.js'
import type { IndexedAttr } from '../../src/store/directory-store.js'

const user = (userName: string, over: Partial<UserInput> = {}): UserInput => ({
  userName, externalId: null, displayName: null, active: true, emails: [{ value: userName, type: 'work', primary: true }], resource: { userName }, ...over
})
const group = (displayName: string, memberIds: string[], externalId: string | null = null): { displayName: string, externalId: string | null, memberIds: string[], resource: Record<string, unknown> } =>
  ({ displayName, externalId, memberIds, resource: {} })

/** What every engine's writes say they queued (the users the request path applies at once), and the scan behind unindexed filters. */
export function storeWritesContract (name: string, open: () => Promise<{ store: Store }>): void {
  describe(`store contract, queued users and scans: ${name}`, () => {
    const opened: Store[] = []
    const fresh = async (): Promise<Store> => {
      const { store } = await open()
      opened.push(store)
      return store
    }
    afterEach(async () => { for (const s of opened.splice(0)) await s.close() })

    it('user writes name the user they queued; a change provisioning does not look at queues no one', async () => {
      const store = await fresh()
      const created = await store.createUserAndQueue(user('ann@x.io'))
      expect(created.queued).toEqual([created.record.id])
      expect((await store.getUser(created.record.id))?.version).toBe(1)
      expect((await store.updateUserAndQueue(created.record.id, user('ann@x.io', { displayName: 'Ann' }), 1)).queued).toEqual([])
      const off = await store.updateUserAndQueue(created.record.id, user('ann@x.io', { active: false }), null)
      expect([off.record.version, off.queued]).toEqual([3, [created.record.id]])
      expect((await store.deleteUserAndQueue(created.record.id, null)).queued).toEqual([created.record.id])
    })

    it('a user write answers with the record a read returns, not with the caller\'s objects', async () => {
      const store = await fresh()
      // undefined is no JSON value: stored, it is gone, and the answer must not keep it either.
      const input = user('rec@x.io', { resource: { userName: 'rec@x.io', name: { givenName: 'Rec', middleName: undefined } } })
      const created = await store.createUserAndQueue(input)
      expect(created.record).toStrictEqual(await store.getUser(created.record.id))
      ;(input.resource.name as Record<string, unknown>).givenName = 'changed after the write'
      expect((created.record.resource.name as Record<string, unknown>).givenName).toBe('Rec')
      const updated = await store.updateUserAndQueue(created.record.id, user('rec@x.io', { resource: { userName: 'rec@x.io', title: undefined, nickName: 'R' } }), null)
      expect(updated.record).toStrictEqual(await store.getUser(created.record.id))
    })

    it('an update that changes one attribute moves exactly that attribute: its lookups find the new value, not the old, and every other attribute stays', async () => {
      const store = await fresh()
      const base = user('one@x.io', { externalId: 'ext-1', displayName: 'One', emails: [{ value: 'one@mail.x.io', type: 'work', primary: true }] })
      const { record } = await store.createUserAndQueue(base)
      await store.createUser(user('two@x.io', { externalId: 'ext-2', displayName: 'Two' }))
      const ids = async (attr: IndexedAttr, value: string | boolean): Promise<string[]> =>
        (await store.queryUsers({ where: [[{ attr, op: 'eq', value, negate: false }]], sortBy: null, descending: false, offset: 0, limit: 10 })).records.map((r) => r.id)
      const changes: Array<[Partial<UserInput>, IndexedAttr, string | boolean, string | boolean]> = [
        [{ userName: 'uno@x.io' }, 'userName', 'one@x.io', 'uno@x.io'],
        [{ externalId: 'ext-9' }, 'externalId', 'ext-1', 'ext-9'],
        [{ displayName: 'Uno' }, 'displayName', 'One', 'Uno'],
        [{ active: false }, 'active', true, false]
      ]
      let current = base
      for (const [over, attr, was, is] of changes) {
        current = { ...current, ...over, resource: { ...current.resource, ...over } }
        const updated = await store.updateUserAndQueue(record.id, current, null)
        expect(updated.record).toStrictEqual(await store.getUser(record.id))
        expect(await ids(attr, is)).toEqual([record.id])
        expect(await ids(attr, was)).not.toContain(record.id)
      }
      expect(await store.userIdsWithAddress('one@mail.x.io')).toEqual([record.id])
      current = { ...current, emails: [{ value: 'new@mail.x.io', type: 'work', primary: true }] }
      await store.updateUserAndQueue(record.id, current, null)
      expect([await store.userIdsWithAddress('new@mail.x.io'), await store.userIdsWithAddress('one@mail.x.io')]).toEqual([[record.id], []])
      const last = await store.getUser(record.id)
      expect(last).toMatchObject({ userName: 'uno@x.io', externalId: 'ext-9', displayName: 'Uno', active: false, emails: current.emails, version: 6 })
      // A write that changes nothing a column holds still bumps the version and lastModified.
      const same = await store.updateUserAndQueue(record.id, current, null)
      expect(same.record.version).toBe(7)
      expect(same.record.lastModified >= (last?.lastModified ?? '')).toBe(true)
    })

    it('group writes name the users they queued: members on create and delete, removed + added on change, everyone on rename', async () => {
      const store = await fresh()
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(async (n) => (await store.createUser(user(`${n}@x.io`))).id)) as [string, string, string]
      const g = await store.createGroupAndQueue(group('G', [a, b, a]))
      expect([g.record.memberIds, g.queued]).toEqual([[a, b], [a, b]])
      const moved = await store.updateGroupAndQueue(g.record.id, group('G', [b, c]), g.record.version)
      expect([moved.record.memberIds, moved.queued.sort()]).toEqual([[b, c], [a, c].sort()])
      expect((await store.updateGroupAndQueue(g.record.id, group('G', [b, c]), null)).queued).toEqual([])
      expect((await store.updateGroupAndQueue(g.record.id, group('H', [b]), null)).queued.sort()).toEqual([b, c].sort())
      expect((await store.updateGroupAndQueue(g.record.id, group('H', [b], 'ext-1'), null)).queued).toEqual([b])
      expect((await store.deleteGroupAndQueue(g.record.id, null)).queued).toEqual([b])
    })

    it('scans live users in insertion order, a page at a time, leaving out the deleted', async () => {
      const store = await fresh()
      const ids: string[] = []
      for (let i = 0; i < 7; i++) ids.push((await store.createUser(user(`s${i}@x.io`))).id)
      await store.deleteUser(ids[3] as string, null)
      const seen: string[] = []
      let cursor: number | null = 0
      let pages = 0
      while (cursor !== null) {
        const page = await store.scanUsers(cursor, 2)
        seen.push(...page.records.map((u) => u.id))
        cursor = page.next
        pages++
      }
      expect(seen).toEqual(ids.filter((_, i) => i !== 3))
      expect(pages).toBeLessThanOrEqual(4)
      expect((await store.scanUsers(0, 100)).next).toBeNull()
    })
  })
}
