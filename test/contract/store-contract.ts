import { afterEach, describe, expect, it } from 'vitest'
import type { Store } from '../../src/store/index.js'
import type { KnownMember } from '../../src/domain/members.js'
import { StoreConflictError, StoreNotFoundError, StoreVersionError } from '../../src/store/directory-store.js'
import type { UserInput } from '../../src/domain/users.js'

const user = (userName: string, over: Partial<UserInput> = {}): UserInput => ({
  userName, externalId: null, displayName: null, active: true, emails: [{ value: userName, type: 'work', primary: true }], resource: { userName }, ...over
})
const Q = { where: null, sortBy: null, descending: false, offset: 0, limit: 100 } as const

/** One suite for every store back-end: same behaviour, whatever the database. */
export function storeContract (name: string, openStore: () => Promise<{ store: Store, reopen?: () => Promise<Store> }>): void {
  describe(`store contract: ${name}`, () => {
    // Every store a test opens is closed after it, also when the test fails before its own close().
    const opened: Array<() => Promise<void>> = []
    const closeOnce = (store: Store): Store => {
      let closing: Promise<void> | null = null
      const close = async (): Promise<void> => { closing ??= store.close(); await closing }
      opened.push(close)
      return { ...store, close }
    }
    const open = async (): Promise<{ store: Store, reopen?: () => Promise<Store> }> => {
      const { store, reopen } = await openStore()
      return { store: closeOnce(store), ...(reopen === undefined ? {} : { reopen: async () => closeOnce(await reopen()) }) }
    }
    afterEach(async () => { for (const close of opened.splice(0)) await close() })

    it('creates users, enqueues them in the same write, and enforces case-insensitive userName', async () => {
      const { store } = await open()
      const u = await store.createUser(user('Ann@Example.com'))
      expect(u.version).toBe(1)
      expect((await store.queueDepth()).depth).toBe(1)
      await expect(store.createUser(user('ann@example.COM'))).rejects.toBeInstanceOf(StoreConflictError)
      const found = await store.queryUsers({ ...Q, where: [[{ attr: 'userName', op: 'eq', value: 'ANN@example.com', negate: false }]] })
      expect(found.records.map((r) => r.id)).toEqual([u.id])
      const byEmail = await store.queryUsers({ ...Q, where: [[{ attr: 'emails.value', op: 'eq', value: 'ann@EXAMPLE.com', negate: false, emailType: 'work' }]] })
      expect(byEmail.total).toBe(1)
      await store.close()
    })

    it('finds live users by an address they hold as userName or email, whatever its case', async () => {
      const { store } = await open()
      const a = await store.createUser(user('a.upn@corp.example', { emails: [{ value: 'Shared@Corp.example', type: 'work', primary: true }] }))
      const b = await store.createUser(user('shared@corp.example', { emails: [] }))
      const c = await store.createUser(user('c.upn@corp.example', { emails: [{ value: 'shared@corp.example', type: 'home', primary: false }] }))
      await store.createUser(user('other@corp.example'))
      expect((await store.userIdsWithAddress('SHARED@corp.example')).sort()).toEqual([a.id, b.id, c.id].sort())
      await store.deleteUser(c.id, null)
      expect((await store.userIdsWithAddress('shared@corp.example')).sort()).toEqual([a.id, b.id].sort())
      expect(await store.userIdsWithAddress('nobody@corp.example')).toEqual([])
      await store.close()
    })

    it('names the members of several groups in one call: displayName, else userName; deleted users drop out', async () => {
      const { store } = await open()
      const named = await store.createUser(user('named@example.com', { displayName: 'Named Person' }))
      const plain = await store.createUser(user('plain@example.com', { displayName: null }))
      const gone = await store.createUser(user('gone@example.com', { displayName: 'Gone' }))
      const g1 = await store.createGroup({ displayName: 'G1', externalId: null, memberIds: [named.id, gone.id], resource: {} })
      const g2 = await store.createGroup({ displayName: 'G2', externalId: null, memberIds: [plain.id], resource: {} })
      await store.createGroup({ displayName: 'G3', externalId: null, memberIds: [], resource: {} })
      await store.deleteUser(gone.id, null)
      expect(Object.fromEntries(await store.memberNames([g1.id, g2.id]))).toEqual({ [named.id]: 'Named Person', [plain.id]: 'plain@example.com' })
      expect((await store.memberNames([g2.id])).size).toBe(1)
      expect((await store.memberNames(['no-such-group'])).size).toBe(0)
      await store.close()
    })

    it('concurrent writes: a taken userName fails alone, the writes beside it all land', async () => {
      const { store } = await open()
      const results = await Promise.allSettled([
        ...Array.from({ length: 5 }, async () => await store.createUser(user('dup@x.io'))),
        ...Array.from({ length: 5 }, async (_, i) => await store.createUser(user(`ok${i}@x.io`)))
      ])
      expect(results.filter((r) => r.status === 'fulfilled').length).toBe(6)
      expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof StoreConflictError)).toBe(true)
      expect((await store.counts()).users).toBe(6)
      expect((await store.queueDepth()).depth).toBe(6)
      await store.close()
    })

    it('versions updates, queues only identity changes, and keeps a tombstone on delete', async () => {
      const { store } = await open()
      const u = await store.createUser(user('bob@example.com'))
      const [entry] = await store.claimDue(new Date(Date.now() + 1000).toISOString(), 10, 'w1', 60_000)
      expect(entry?.userId).toBe(u.id)
      await store.complete(u.id, entry?.generation ?? -1)
      expect((await store.queueDepth()).depth).toBe(0)
      const renamed = await store.updateUser(u.id, user('bob@example.com', { displayName: 'Bob' }), 1)
      expect(renamed.version).toBe(2)
      expect((await store.queueDepth()).depth).toBe(0)
      await expect(store.updateUser(u.id, user('bob@example.com'), 1)).rejects.toBeInstanceOf(StoreVersionError)
      await store.updateUser(u.id, user('bob@example.com', { active: false }), null)
      expect((await store.queueDepth()).depth).toBe(1)
      await store.deleteUser(u.id, null)
      expect(await store.getUser(u.id)).toBeNull()
      expect((await store.getSubject(u.id))?.deleted).toBe(true)
      await expect(store.deleteUser(u.id, null)).rejects.toBeInstanceOf(StoreNotFoundError)
      const again = await store.createUser(user('bob@example.com'))
      expect(again.id).not.toBe(u.id)
      await store.purgeDeletedUser(u.id)
      expect(await store.getSubject(u.id)).toBeNull()
      await store.close()
    })

    it('a change of the roles assigned in the IdP re-plans the user, and the subject carries them', async () => {
      const { store } = await open()
      const u = await store.createUser(user('rita@example.com'))
      const drain = async (): Promise<void> => {
        for (const e of await store.claimDue(new Date(Date.now() + 1000).toISOString(), 10, 'w1', 60_000)) await store.complete(e.userId, e.generation)
      }
      await drain()
      await store.updateUser(u.id, user('rita@example.com', { resource: { userName: 'rita@example.com', roles: [{ value: 'p1:ADMIN', primary: true }] } }), null)
      expect((await store.queueDepth()).depth).toBe(1)
      expect((await store.getSubject(u.id))?.roles).toEqual(['p1:ADMIN'])
      await drain()
      // The same value with another display or type is no change Sinch could see.
      await store.updateUser(u.id, user('rita@example.com', { resource: { userName: 'rita@example.com', roles: [{ value: 'p1:ADMIN', display: 'p1 — Admin', type: 'WindowsAzureActiveDirectoryRole' }] } }), null)
      expect((await store.queueDepth()).depth).toBe(0)
      await store.updateUser(u.id, user('rita@example.com'), null)
      expect((await store.queueDepth()).depth).toBe(1)
      expect((await store.getSubject(u.id))?.roles).toEqual([])
      await store.close()
    })

    it('group heads: every group by name with its external id and member count, no members loaded', async () => {
      const { store } = await open()
      const a = await store.createUser(user('head-a@x.io'))
      const b = await store.createUser(user('head-b@x.io'))
      const z = await store.createGroup({ displayName: 'zeta', externalId: 'ext-z', memberIds: [a.id, b.id], resource: {} })
      const y = await store.createGroup({ displayName: 'Alpha', externalId: null, memberIds: [], resource: {} })
      expect(await store.groupHeads()).toEqual([
        { id: y.id, displayName: 'Alpha', externalId: null, members: 0 },
        { id: z.id, displayName: 'zeta', externalId: 'ext-z', members: 2 }
      ])
      await store.close()
    })

    it('groups: unique names, membership diffs and renames queue exactly the affected users', async () => {
      const { store } = await open()
      const a = await store.createUser(user('a@x.io'))
      const b = await store.createUser(user('b@x.io'))
      for (const e of await store.claimDue(new Date(Date.now() + 1000).toISOString(), 10, 'w', 60_000)) await store.complete(e.userId, e.generation)
      const g = await store.createGroup({ displayName: 'Admins', externalId: 'x1', memberIds: [a.id], resource: {} })
      await expect(store.createGroup({ displayName: 'admins', externalId: null, memberIds: [], resource: {} })).rejects.toBeInstanceOf(StoreConflictError)
      const due = async (): Promise<string[]> => {
        const entries = await store.claimDue(new Date(Date.now() + 1000).toISOString(), 10, 'w', 60_000)
        for (const e of entries) await store.complete(e.userId, e.generation)
        return entries.map((e) => e.userId).sort()
      }
      expect(await due()).toEqual([a.id])
      await store.updateGroup(g.id, { displayName: 'Admins', externalId: 'x1', memberIds: [a.id, b.id], resource: {} }, null)
      expect(await due()).toEqual([b.id])
      await store.updateGroup(g.id, { displayName: 'Renamed', externalId: 'x1', memberIds: [a.id, b.id], resource: {} }, null)
      expect(await due()).toEqual([a.id, b.id].sort())
      expect((await store.getSubject(a.id))?.groups).toEqual([{ id: g.id, displayName: 'Renamed', externalId: 'x1' }])
      const members = await store.queryGroups({ ...Q, where: [[{ attr: 'members.value', op: 'eq', value: b.id, negate: false }]] })
      expect(members.total).toBe(1)
      await store.deleteGroup(g.id, null)
      expect(await due()).toEqual([a.id, b.id].sort())
      expect((await store.getSubject(a.id))?.groups).toEqual([])
      await store.close()
    })

    it('queue: one user claimed at once whatever its due time; busy while another holds it; null when nothing is queued', async () => {
      const { store } = await open()
      const u = await store.createUser(user('one@x.io'))
      const now = new Date().toISOString()
      await store.retryLater(u.id, new Date(Date.now() + 3_600_000).toISOString(), 'backing off')
      const mine = await store.claimUser(u.id, now, 'request-a', 60_000)
      expect(mine).toMatchObject({ userId: u.id, attempts: 1 })
      expect(await store.claimUser(u.id, now, 'request-b', 60_000)).toBe('claimed')
      const v = await store.createUser(user('two@x.io'))
      expect(await store.claimUser(v.id, now, 'request-a', 60_000)).toMatchObject({ userId: v.id })
      expect(await store.claimDue(new Date(Date.now() + 1000).toISOString(), 10, 'worker', 60_000)).toEqual([])
      // An expired claim is taken over, as in claimDue.
      expect(await store.claimUser(u.id, new Date(Date.now() + 120_000).toISOString(), 'request-b', 60_000)).toMatchObject({ userId: u.id })
      await store.complete(u.id, (mine as { generation: number }).generation)
      expect(await store.claimUser(u.id, now, 'request-a', 60_000)).toBeNull()
      expect(await store.claimUser('nobody', now, 'request-a', 60_000)).toBeNull()
      await store.close()
    })

    it('queue: a newer generation survives completion of an older claim; expired claims are taken over', async () => {
      const { store } = await open()
      const u = await store.createUser(user('c@x.io'))
      const soon = (): string => new Date(Date.now() + 1000).toISOString()
      const [first] = await store.claimDue(soon(), 10, 'w1', 60_000)
      expect(await store.claimDue(soon(), 10, 'w2', 60_000)).toEqual([])
      await store.enqueue([u.id])
      await store.complete(u.id, first?.generation ?? -1)
      const [second] = await store.claimDue(soon(), 10, 'w2', 1)
      expect(second?.generation).toBeGreaterThan(first?.generation ?? 0)
      const later = new Date(Date.now() + 5000).toISOString()
      const [takeover] = await store.claimDue(later, 10, 'w3', 60_000)
      expect(takeover?.userId).toBe(u.id)
      await store.retryLater(u.id, new Date(Date.now() + 60_000).toISOString(), 'boom')
      expect(await store.claimDue(later, 10, 'w3', 60_000)).toEqual([])
      expect((await store.queueDepth()).depth).toBe(1)
      await store.close()
    })

    it('queue listing: every queued user, oldest first, with why it waits; the same entries queueDepth counts', async () => {
      const { store } = await open()
      // A few ms apart: entries are ordered by when they were queued.
      const tick = async (): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, 5)) }
      const a = await store.createUser(user('list-a@x.io'))
      await tick()
      const b = await store.createUser(user('list-b@x.io'))
      await tick()
      const c = await store.createUser(user('list-c@x.io'))
      const later = new Date(Date.now() + 60_000).toISOString()
      await store.retryLater(b.id, later, 'Sinch invite failed after 2 attempt(s): status 503')
      const all = await store.listQueue({ limit: 10 })
      expect(all.map((e) => e.userId)).toEqual([a.id, b.id, c.id])
      expect(all.length).toBe((await store.queueDepth()).depth)
      expect(all[0]?.enqueuedAt).toBe((await store.queueDepth()).oldestEnqueuedAt)
      expect(all[1]).toMatchObject({ userId: b.id, attempts: 1, dueAt: later, lastError: 'Sinch invite failed after 2 attempt(s): status 503' })
      expect(typeof all[1]?.generation).toBe('number')
      expect((await store.listQueue({ limit: 2 })).map((e) => e.userId)).toEqual([a.id, b.id])
      expect((await store.listQueue({ userIds: [c.id, b.id, 'nobody'], limit: 10 })).map((e) => e.userId)).toEqual([b.id, c.id])
      expect(await store.listQueue({ userIds: [], limit: 10 })).toEqual([])
      await store.close()
    })

    it('queue heartbeat: renews only the claims it names while the owner lives; an expired heartbeat frees all its claims at once', async () => {
      const { store } = await open()
      const a = await store.createUser(user('hb-a@x.io'))
      const b = await store.createUser(user('hb-b@x.io'))
      const t0 = Date.now()
      const at = (ms: number): string => new Date(t0 + ms).toISOString()
      const beat = async (owner: string, ms: number, userIds: string[], leaseMs = 10_000): Promise<string[]> =>
        await store.heartbeat(owner, { startedAt: at(0), now: at(ms), ttlMs: 10_000, leaseMs, userIds })
      expect(await beat('w1', 0, [])).toEqual([])
      expect((await store.claimDue(at(1_000), 10, 'w1', 10_000)).map((e) => e.userId).sort()).toEqual([a.id, b.id].sort())
      // At 4 s the owner renews a (to 64 s) and not b (its lease ends at 11 s); a user it never claimed is not renewed.
      expect(await beat('w1', 4_000, [a.id, 'nobody'], 60_000)).toEqual([a.id])
      expect(await store.holdsClaim(a.id, 'w1', at(12_000))).toBe(true)
      expect(await store.holdsClaim(b.id, 'w1', at(12_000))).toBe(false)
      expect((await store.claimDue(at(12_000), 10, 'w2', 10_000)).map((e) => e.userId)).toEqual([b.id])
      // w1 beats no more: alive until 14 s, then dead, and its claim on a is free though its lease runs to 64 s.
      expect(await store.claimUser(a.id, at(13_000), 'w3', 10_000)).toBe('claimed')
      expect(await store.holdsClaim(a.id, 'w1', at(15_000))).toBe(false)
      expect(await store.claimUser(a.id, at(15_000), 'w3', 10_000)).toMatchObject({ userId: a.id })
      // The dead owner's late beat learns that it lost the claim.
      expect(await beat('w1', 16_000, [a.id])).toEqual([])
      expect(await store.holdsClaim(a.id, 'w3', at(16_000))).toBe(true)
      // An owner with no heartbeat row (a process from before heartbeats) keeps its claim for its lease.
      expect(await store.claimUser(b.id, at(13_000), 'w4', 10_000)).toBe('claimed')
      expect(await store.claimUser(b.id, at(23_000), 'w4', 10_000)).toMatchObject({ userId: b.id })
      await store.close()
    })

    it('queue heartbeat: a clean stop frees its claims at once and leaves other owners\' claims alone', async () => {
      const { store } = await open()
      const a = await store.createUser(user('rel-a@x.io'))
      const b = await store.createUser(user('rel-b@x.io'))
      const now = new Date(Date.now() + 1_000).toISOString()
      for (const owner of ['w1', 'w2']) await store.heartbeat(owner, { startedAt: now, now, ttlMs: 60_000, leaseMs: 60_000, userIds: [] })
      expect(await store.claimUser(a.id, now, 'w1', 60_000)).toMatchObject({ userId: a.id })
      expect(await store.claimUser(b.id, now, 'w2', 60_000)).toMatchObject({ userId: b.id })
      await store.releaseOwner('w1')
      expect(await store.holdsClaim(a.id, 'w1', now)).toBe(false)
      expect(await store.holdsClaim(b.id, 'w2', now)).toBe(true)
      expect(await store.claimDue(now, 10, 'w3', 60_000)).toMatchObject([{ userId: a.id }])
      expect(await store.heartbeat('w2', { startedAt: now, now, ttlMs: 60_000, leaseMs: 60_000, userIds: [a.id, b.id] })).toEqual([b.id])
      expect((await store.queueDepth()).depth).toBe(2)
      await store.close()
    })

    it('the Sinch view of a page of users: their members and unfinished ops only, in two reads', async () => {
      const { store } = await open()
      const km = { projectId: 'p1', email: 'a@y.io', sinchUserId: 's1', role: 'MEMBER' as const, status: 'ACTIVE' as const, scimUserId: 'u1', origin: 'invited' as const, seenAt: '2026-01-01T00:00:00Z' }
      await store.upsertKnownMembers([km, { ...km, projectId: 'p2', role: 'ADMIN' }, { ...km, email: 'b@y.io', scimUserId: 'u2' }, { ...km, email: 'c@y.io', scimUserId: null, origin: null }])
      await store.setOpState({ userId: 'u1', projectId: 'p2', state: 'failed', lastError: 'invalid role', attempts: 1, updatedAt: '2026-01-01T00:00:00Z' })
      await store.setOpState({ userId: 'u1', projectId: 'p1', state: 'done', lastError: null, attempts: 0, updatedAt: '2026-01-01T00:00:00Z' })
      await store.setOpState({ userId: 'u3', projectId: 'p1', state: 'pending', lastError: '503', attempts: 1, updatedAt: '2026-01-01T00:00:00Z' })
      const view = await store.sinchViewOf(['u1', 'u3', 'nobody'])
      expect(view.members.map((m) => [m.scimUserId, m.projectId, m.role])).toEqual([['u1', 'p1', 'MEMBER'], ['u1', 'p2', 'ADMIN']])
      expect(view.ops.map((o) => [o.userId, o.projectId, o.state, o.lastError]).sort()).toEqual([['u1', 'p2', 'failed', 'invalid role'], ['u3', 'p1', 'pending', '503']])
      expect(await store.sinchViewOf([])).toEqual({ members: [], ops: [] })
      await store.close()
    })

    it('a user view is the record, its groups in membership order and its Sinch view, for live users only, in the order asked', async () => {
      const { store } = await open()
      const a = await store.createUser(user('a@y.io', { displayName: 'Ann' }))
      const b = await store.createUser(user('b@y.io'))
      const gone = await store.createUser(user('gone@y.io'))
      const g2 = await store.createGroup({ displayName: 'Zeta', externalId: 'z-1', memberIds: [a.id], resource: {} })
      const g1 = await store.createGroup({ displayName: 'Alpha', externalId: null, memberIds: [a.id, gone.id], resource: {} })
      await store.deleteUser(gone.id, null)
      const km = { projectId: 'p2', email: 'a@y.io', sinchUserId: 's1', role: 'ADMIN' as const, status: 'ACTIVE' as const, scimUserId: a.id, origin: 'invited' as const, seenAt: '2026-01-01T00:00:00Z' }
      await store.upsertKnownMembers([km, { ...km, projectId: 'p1', role: 'MEMBER' }, { ...km, email: 'b@y.io', scimUserId: b.id }])
      await store.setOpState({ userId: a.id, projectId: 'p2', state: 'failed', lastError: 'invalid role', attempts: 2, updatedAt: '2026-01-02T00:00:00Z' })
      await store.setOpState({ userId: a.id, projectId: 'p1', state: 'done', lastError: null, attempts: 0, updatedAt: '2026-01-02T00:00:00Z' })

      const [va] = await store.userViews([a.id])
      expect(va?.record).toEqual(await store.getUser(a.id))
      expect(va?.groups).toEqual([{ id: g2.id, displayName: 'Zeta', externalId: 'z-1' }, { id: g1.id, displayName: 'Alpha', externalId: null }])
      expect(va?.members).toEqual([{ ...km, projectId: 'p1', role: 'MEMBER' }, km])
      expect(va?.ops).toEqual([{ userId: a.id, projectId: 'p2', state: 'failed', lastError: 'invalid role', attempts: 2, updatedAt: '2026-01-02T00:00:00Z' }])

      const views = await store.userViews([b.id, 'nobody', gone.id, a.id])
      expect(views.map((v) => v.record.id)).toEqual([b.id, a.id])
      expect(views[0]).toMatchObject({ groups: [], ops: [], members: [{ ...km, email: 'b@y.io', scimUserId: b.id }] })
      expect(await store.userViews([gone.id])).toEqual([])
      const found = await store.queryUserViews({ ...Q, where: [[{ attr: 'userName', op: 'eq', value: 'A@Y.IO', negate: false }]] })
      expect(found).toEqual({ total: 1, records: [va] })
      expect((await store.queryUserViews({ ...Q, sortBy: 'userName', descending: true })).records.map((v) => v.record.id)).toEqual([b.id, a.id])
      expect(await store.userViews([])).toEqual([])
      await store.close()
    })

    it('known members one reconcile chunk at a time, and the sweep list of a project', async () => {
      const { store } = await open()
      const km = { projectId: 'p1', email: 'a@y.io', sinchUserId: 's1', role: 'MEMBER' as const, status: 'ACTIVE' as const, scimUserId: 'u1', origin: 'invited' as const, seenAt: '2026-01-01T00:00:00Z' }
      await store.upsertKnownMembers([km, { ...km, email: 'b@y.io', scimUserId: null, origin: null }, { ...km, projectId: 'p2', email: 'c@y.io' }])
      expect((await store.knownMembersIn('p1', ['a@y.io', 'c@y.io', 'zz@y.io'])).map((m) => m.email)).toEqual(['a@y.io'])
      expect(await store.knownMembersIn('p1', [])).toEqual([])
      expect((await store.knownEmailsOf('p1')).sort((x, y) => x.email.localeCompare(y.email))).toEqual([
        { email: 'a@y.io', scimUserId: 'u1', seenAt: '2026-01-01T00:00:00Z' },
        { email: 'b@y.io', scimUserId: null, seenAt: '2026-01-01T00:00:00Z' }
      ])
      await store.close()
    })

    it('keys known members and the audit by one address normal form (case, NFC, white space), whichever spelling is written or asked', async () => {
      const { store } = await open()
      const nfd = ' Jose\u0301@Y.io'
      const nfc = 'jos\u00e9@y.io'
      const km = { projectId: 'p1', email: nfd, sinchUserId: 's1', role: 'MEMBER' as const, status: 'PENDING' as const, scimUserId: 'u1', origin: 'invited' as const, seenAt: '2026-01-01T00:00:00Z' }
      await store.upsertKnownMember(km)
      await store.upsertKnownMembers([{ ...km, email: nfc.toUpperCase(), status: 'ACTIVE', seenAt: '2026-01-01T00:00:01Z' }])
      expect((await store.listKnownMembers({ projectId: 'p1' })).map((m) => [m.email, m.status])).toEqual([[nfc, 'ACTIVE']])
      expect(await store.listKnownMembers({ email: nfd })).toHaveLength(1)
      expect(await store.knownMembersIn('p1', [nfd])).toHaveLength(1)
      await store.appendAudit({ at: '2026-01-01T00:00:02Z', scimUserId: 'u1', email: nfd, projectId: 'p1', action: 'invite', fromRole: null, toRole: 'MEMBER', rule: 'r', outcome: 'ok', detail: null, durationMs: 1 })
      expect((await store.listAudit({ email: nfc, limit: 5 })).map((a) => a.email)).toEqual([nfc])
      expect(await store.listAudit({ action: 'invite', limit: 5 })).toHaveLength(1)
      expect(await store.listAudit({ action: 'adopt', limit: 5 })).toEqual([])
      await store.deleteKnownMember('p1', nfd)
      expect(await store.listKnownMembers({})).toEqual([])
      await store.close()
    })

    it('managed members a page at a time with their total, email search, and op states beyond any list cap', async () => {
      const { store } = await open()
      const at = '2026-01-01T00:00:00.000Z'
      const km = (email: string, scimUserId: string | null): KnownMember => ({ projectId: 'p1', email, sinchUserId: null, role: 'MEMBER', status: 'ACTIVE', scimUserId, origin: scimUserId === null ? null : 'invited', seenAt: at })
      await store.upsertKnownMembers([km('c@y.io', 'u3'), km('a@y.io', 'u1'), km('b@y.io', 'u2'), km('hand@y.io', null), { ...km('a@y.io', 'u1'), projectId: 'p2' }])
      expect(await store.managedMembers('p1', { limit: 2 }).then((r) => ({ total: r.total, emails: r.members.map((m) => m.email) }))).toEqual({ total: 3, emails: ['a@y.io', 'b@y.io'] })
      expect(await store.managedMembers('p1', { emailContains: 'B@Y', limit: 10 }).then((r) => ({ total: r.total, emails: r.members.map((m) => m.email) }))).toEqual({ total: 1, emails: ['b@y.io'] })
      expect((await store.managedMembers('p1', { emailContains: '%', limit: 10 })).total).toBe(0)
      for (let i = 0; i < 1005; i++) await store.setOpState({ userId: `f${i}`, projectId: 'p1', state: 'failed', lastError: 'no', attempts: 1, updatedAt: at })
      await store.setOpState({ userId: 'f0', projectId: 'p2', state: 'failed', lastError: 'no', attempts: 1, updatedAt: at })
      await store.setOpState({ userId: 'w', projectId: 'p1', state: 'pending', lastError: '503', attempts: 1, updatedAt: at })
      await store.setOpState({ userId: 'd', projectId: 'p1', state: 'done', lastError: null, attempts: 0, updatedAt: at })
      expect((await store.failedUserIds()).length).toBe(1005)
      expect(await store.opStateCounts()).toEqual({ pending: 1, failed: 1006 })
      expect(await store.listOpStates({ state: 'failed' })).toHaveLength(1000)
      expect(await store.listOpStates({ state: 'failed', limit: 3 })).toHaveLength(3)
      await store.close()
    })

    it('a reconcile write loses to an operation recorded after its listing began, and the sweep spares it', async () => {
      const { store } = await open()
      const listingBegan = '2026-01-01T00:00:01.000Z'
      const invited = { projectId: 'p1', email: 'new@y.io', sinchUserId: 's9', role: 'ADMIN' as const, status: 'PENDING' as const, scimUserId: 'u9', origin: 'invited' as const, seenAt: '2026-01-01T00:00:02.000Z' }
      await store.upsertKnownMember(invited)
      // The listing saw an older state of the member and knew nothing of its SCIM user.
      await store.upsertKnownMembers([{ ...invited, role: 'MEMBER', scimUserId: null, origin: null, seenAt: listingBegan }])
      expect(await store.knownMembersIn('p1', ['new@y.io'])).toEqual([invited])
      // An older row is updated, but never loses its SCIM user to a listing.
      const old = { ...invited, email: 'old@y.io', seenAt: '2025-01-01T00:00:00.000Z' }
      await store.upsertKnownMember(old)
      await store.upsertKnownMembers([{ ...old, role: 'MEMBER', status: 'ACTIVE', scimUserId: null, origin: null, seenAt: listingBegan }])
      expect(await store.knownMembersIn('p1', ['old@y.io'])).toEqual([{ ...old, role: 'MEMBER', status: 'ACTIVE', seenAt: listingBegan }])
      await store.deleteKnownMember('p1', 'new@y.io', listingBegan)
      await store.deleteKnownMember('p1', 'old@y.io', '2026-01-01T00:00:01.500Z')
      expect((await store.knownEmailsOf('p1')).map((k) => k.email)).toEqual(['new@y.io'])
      await store.deleteKnownMember('p1', 'NEW@y.io')
      expect(await store.knownEmailsOf('p1')).toEqual([])
      await store.close()
    })

    it('known members, op states, audit with filters and pruning, leases, settings', async () => {
      const { store } = await open()
      const km = { projectId: 'p1', email: 'x@y.io', sinchUserId: 's1', role: 'MEMBER' as const, status: 'PENDING' as const, scimUserId: 'u1', origin: 'invited' as const, seenAt: '2026-01-01T00:00:00Z' }
      await store.upsertKnownMember(km)
      await store.upsertKnownMembers([{ ...km, status: 'ACTIVE' }, { ...km, projectId: 'p2', scimUserId: null, origin: null }])
      expect((await store.listKnownMembers({ scimUserId: 'u1' })).map((m) => m.status)).toEqual(['ACTIVE'])
      expect((await store.listKnownMembers({ email: 'X@Y.io' })).length).toBe(2)
      await store.deleteKnownMember('p2', 'X@y.io')
      expect((await store.listKnownMembers()).length).toBe(1)
      await store.setOpState({ userId: 'u1', projectId: 'p1', state: 'pending', lastError: '503', attempts: 1, updatedAt: '2026-01-01T00:00:00Z' })
      await store.setOpState({ userId: 'u1', projectId: 'p1', state: 'pending', lastError: '429', attempts: 1, updatedAt: '2026-01-01T00:00:01Z' })
      expect(await store.listOpStates({ state: 'pending' })).toMatchObject([{ lastError: '429', attempts: 2 }])
      const base = { scimUserId: 'u1', email: 'x@y.io', projectId: 'p1', action: 'invite' as const, fromRole: null, toRole: 'MEMBER' as const, rule: 'default', outcome: 'ok' as const, detail: null, durationMs: 3 }
      await store.appendAudit({ ...base, at: '2020-01-01T00:00:00.000Z' })
      await store.appendAudit({ ...base, at: '2026-01-01T00:00:00.000Z', projectId: 'p2' })
      expect((await store.listAudit({ projectId: 'p2', limit: 10 })).length).toBe(1)
      expect((await store.listAudit({ since: '2025-01-01T00:00:00.000Z', limit: 10 })).length).toBe(1)
      expect(await store.pruneAudit('2025-01-01T00:00:00.000Z')).toBe(1)
      const now = new Date().toISOString()
      expect(await store.tryLease('r', 'a', 60_000, now)).toBe(true)
      expect(await store.tryLease('r', 'b', 60_000, now)).toBe(false)
      expect(await store.tryLease('r', 'b', 60_000, new Date(Date.now() + 61_000).toISOString())).toBe(true)
      await store.releaseLease('r', 'b')
      expect(await store.tryLease('r', 'a', 60_000, now)).toBe(true)
      await store.setSetting('k', 'v1')
      await store.setSetting('k', 'v2')
      expect(await store.getSetting('k')).toBe('v2')
      expect(await store.getSetting('none')).toBeNull()
      await store.close()
    })

    it('filters: operators, not, or, sorting and paging with a stable order', async () => {
      const { store } = await open()
      for (const n of ['carol', 'alice', 'bob', 'dave']) await store.createUser(user(`${n}@x.io`, { displayName: n.toUpperCase(), externalId: `ext-${n}` }))
      const q = async (where: Parameters<Store['queryUsers']>[0]['where'], extra = {}): Promise<string[]> =>
        (await store.queryUsers({ ...Q, where, ...extra })).records.map((r) => r.userName)
      expect(await q([[{ attr: 'userName', op: 'sw', value: 'A', negate: false }]])).toEqual(['alice@x.io'])
      expect(await q([[{ attr: 'displayName', op: 'co', value: 'o', negate: false }]])).toEqual(['carol@x.io', 'bob@x.io'])
      expect(await q([[{ attr: 'externalId', op: 'eq', value: 'EXT-bob', negate: false }]])).toEqual([])
      expect(await q([[{ attr: 'userName', op: 'ew', value: 'x.io', negate: false }, { attr: 'userName', op: 'eq', value: 'bob@x.io', negate: true }]])).toEqual(['carol@x.io', 'alice@x.io', 'dave@x.io'])
      expect(await q([[{ attr: 'userName', op: 'eq', value: 'dave@x.io', negate: false }], [{ attr: 'userName', op: 'eq', value: 'alice@x.io', negate: false }]])).toEqual(['alice@x.io', 'dave@x.io'])
      expect(await q(null, { sortBy: 'userName', descending: true, offset: 1, limit: 2 })).toEqual(['carol@x.io', 'bob@x.io'])
      expect((await store.queryUsers({ ...Q, limit: 0 })).total).toBe(4)
      expect(await q([[{ attr: 'meta.lastModified', op: 'gt', value: '2000-01-01T00:00:00Z', negate: false }]])).toHaveLength(4)
      await store.close()
    })

    it('reports the whole total on every page shape: short, full, past the end, empty, count 0', async () => {
      const { store } = await open()
      for (let i = 0; i < 5; i++) await store.createUser(user(`p${i}@x.io`))
      const page = async (offset: number, limit: number): Promise<[number, number]> => {
        const r = await store.queryUsers({ ...Q, offset, limit })
        return [r.total, r.records.length]
      }
      expect(await page(0, 10)).toEqual([5, 5])
      expect(await page(0, 2)).toEqual([5, 2])
      expect(await page(4, 2)).toEqual([5, 1])
      expect(await page(3, 2)).toEqual([5, 2])
      expect(await page(9, 2)).toEqual([5, 0])
      expect(await page(0, 0)).toEqual([5, 0])
      const none = await store.queryUsers({ ...Q, where: [[{ attr: 'userName', op: 'eq', value: 'nobody@x.io', negate: false }]] })
      expect([none.total, none.records.length]).toEqual([0, 0])
      await store.close()
    })
  })
}
