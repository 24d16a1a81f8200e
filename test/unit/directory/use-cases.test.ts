import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDirectory, SinchRejectedError, UnknownMembersError, type ApplyNowOptions, type Rejection } from '../../../src/directory/index.js'
import { createStore, StoreValueTooLongError, type Store } from '../../../src/store/index.js'
import type { UserInput } from '../../../src/domain/users.js'
import type { UserView } from '../../../src/store/directory-store.js'

const user = (userName: string, over: Partial<UserInput> = {}): UserInput => ({
  userName, externalId: null, displayName: null, active: true, emails: [{ value: userName, type: 'work', primary: true }], resource: { userName }, ...over
})

/** Provisioning as the use cases see it: records each call; `reject` answers a permanent rejection after calling undo. */
function fakeProvisioning () {
  const calls: Array<{ userIds: string[], undo: boolean }> = []
  let reject: string | null = null
  return {
    calls,
    rejectFor (userName: string | null) { reject = userName },
    async applyNow (userIds: string[], options: ApplyNowOptions = {}): Promise<Rejection[]> {
      calls.push({ userIds, undo: options.undo !== undefined })
      if (reject === null || options.undo === undefined) return []
      await options.undo()
      return userIds.map((userId) => ({ userId, projectId: 'p1', detail: `invalid email ${String(reject)}` }))
    }
  }
}

describe('directory use cases', () => {
  let store: Store
  let sinch: ReturnType<typeof fakeProvisioning>
  let directory: ReturnType<typeof createDirectory>
  beforeEach(async () => {
    store = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'dir-')), 'b.db')}`)
    sinch = fakeProvisioning()
    directory = createDirectory(store, { provisioning: sinch, applyNowLimit: 50 })
  })
  afterEach(async () => { await store.close() })
  /** A user's view, as PUT and PATCH read it before they replace. */
  const viewOf = async (id: string): Promise<UserView> => {
    const [v] = await store.userViews([id])
    if (v === undefined) throw new Error(`no user ${id}`)
    return v
  }

  it('a create applies the user it queued; a change provisioning does not look at applies no one', async () => {
    const u = await directory.createUser(user('ann@x.io'))
    expect(sinch.calls).toEqual([{ userIds: [u.id], undo: true }])
    await directory.replaceUserView(await viewOf(u.id), user('ann@x.io', { displayName: 'Ann' }), null)
    expect(sinch.calls.length).toBe(1)
  })

  it('replaceUserView answers with the view a read shows afterwards, whether or not the write queued provisioning', async () => {
    const u = await directory.createUser(user('ann@x.io'))
    await directory.createGroup({ displayName: 'Sales', externalId: null, memberIds: [u.id], resource: {} })
    const seenAt = new Date().toISOString()
    await store.upsertKnownMembers([{ projectId: 'p1', email: 'ann@x.io', sinchUserId: 's-1', role: 'MEMBER', status: 'ACTIVE', scimUserId: u.id, origin: 'invited', seenAt }])
    const calls = sinch.calls.length
    // Queues nothing: the groups and the member come from the view read before the write.
    const renamed = await directory.replaceUserView(await viewOf(u.id), user('ann@x.io', { displayName: 'Ann' }), null)
    expect(sinch.calls.length).toBe(calls)
    expect(renamed).toEqual((await store.userViews([u.id]))[0])
    expect([renamed.record.displayName, renamed.groups.map((g) => g.displayName), renamed.members.map((m) => m.sinchUserId)]).toEqual(['Ann', ['Sales'], ['s-1']])
    // Queues the user: what provisioning changed while applying it is in the answer.
    const invited = createDirectory(store, {
      provisioning: {
        applyNow: async (ids) => {
          await store.upsertKnownMembers([{ projectId: 'p2', email: 'ann@y.io', sinchUserId: 's-2', role: 'ADMIN', status: 'PENDING', scimUserId: ids[0]!, origin: 'invited', seenAt }])
          return []
        }
      }
    })
    const moved = await invited.replaceUserView(renamed, user('ann@y.io', { displayName: 'Ann' }), renamed.record.version)
    expect(moved).toEqual((await store.userViews([u.id]))[0])
    expect(moved.members.map((m) => `${m.projectId}:${m.sinchUserId}`)).toEqual(['p1:s-1', 'p2:s-2'])
  })

  it('a permanent rejection undoes the write: a refused create leaves no user and fails with the rejection', async () => {
    sinch.rejectFor('bad@x.io')
    await expect(directory.createUser(user('bad@x.io'))).rejects.toBeInstanceOf(SinchRejectedError)
    expect((await store.counts()).users).toBe(0)
  })

  it('a refused replace puts the previous record back', async () => {
    const u = await directory.createUser(user('ann@x.io'))
    sinch.rejectFor('new@x.io')
    await expect(directory.replaceUserView(await viewOf(u.id), user('new@x.io'), null)).rejects.toThrow(/Sinch rejected the change: p1: invalid email/)
    expect((await store.getUser(u.id))?.userName).toBe('ann@x.io')
  })

  it('offboarding and deletion always stand: applied without an undo', async () => {
    const u = await directory.createUser(user('ann@x.io'))
    sinch.rejectFor('ann@x.io')
    const off = (await directory.replaceUserView(await viewOf(u.id), user('ann@x.io', { active: false }), null)).record
    expect(off.active).toBe(false)
    await directory.deleteUser(off, null)
    expect(sinch.calls.slice(1)).toEqual([{ userIds: [u.id], undo: false }, { userIds: [u.id], undo: false }])
    expect(await store.getUser(u.id)).toBeNull()
  })

  it('the store\'s limits hold for the use cases\' writes too: an over-long value is refused before anything is stored or applied', async () => {
    await expect(directory.createUser(user(`${'x'.repeat(600)}@x.io`))).rejects.toBeInstanceOf(StoreValueTooLongError)
    await expect(directory.createGroup({ displayName: 'g'.repeat(600), externalId: null, memberIds: [], resource: {} })).rejects.toBeInstanceOf(StoreValueTooLongError)
    expect([(await store.counts()).users, sinch.calls.length]).toEqual([0, 0])
  })

  it('a group write checks that added members exist, before writing anything', async () => {
    const a = await directory.createUser(user('a@x.io'))
    await expect(directory.createGroup({ displayName: 'G', externalId: null, memberIds: [a.id, 'ghost'], resource: {} })).rejects.toBeInstanceOf(UnknownMembersError)
    expect((await store.counts()).groups).toBe(0)
  })

  it('a wide group write applies at most applyNowLimit users at once; the rest stay queued for the worker', async () => {
    const ids: string[] = []
    for (let i = 0; i < 120; i++) ids.push((await store.createUser(user(`m${i}@x.io`))).id)
    for (const { userId, generation } of await store.claimDue(new Date(Date.now() + 1000).toISOString(), 200, 'w', 60_000)) await store.complete(userId, generation)
    const g = await directory.createGroup({ displayName: 'wide', externalId: null, memberIds: ids, resource: {} })
    expect(sinch.calls.at(-1)?.userIds).toEqual(ids.slice(0, 50))
    expect((await store.queueDepth()).depth).toBe(120)
    await directory.replaceGroup(g, { displayName: 'wide', externalId: null, memberIds: ids.slice(1), resource: {} }, g.version)
    expect(sinch.calls.at(-1)?.userIds).toEqual([ids[0]])
  })
})
