import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { refreshProject } from '../../../src/reconciler/refresh.js'
import { applyOp } from '../../../src/provisioning/apply-op.js'
import type { SinchMemberView, SinchPort } from '../../../src/provisioning/ports.js'
import { createStore, type Store } from '../../../src/store/index.js'
import { listingSinch } from '../../support/listing-sinch.js'

const listing = (members: SinchMemberView[]): SinchPort => listingSinch(async function * () { yield * members })
const member = (email: string, over: Partial<SinchMemberView> = {}): SinchMemberView => ({ userId: `s-${email}`, email, role: 'MEMBER', status: 'ACTIVE', projectId: 'p1', ...over })
const known = (email: string, scimUserId: string | null, seenAt: string, over = {}) => ({ projectId: 'p1', email, sinchUserId: `s-${email}`, role: 'MEMBER' as const, status: 'ACTIVE' as const, scimUserId, origin: scimUserId === null ? null : 'invited' as const, seenAt, ...over })

let store: Store | null = null
afterEach(async () => { await store?.close(); store = null })

describe('refreshProject', () => {
  it('accepts invites, spots changes by hand, sweeps vanished members, and leaves rows written during the listing alone', async () => {
    store = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'refresh-')), 'r.db')}`)
    const runAt = new Date('2026-06-01T00:00:00.000Z')
    await store.upsertKnownMembers([
      known('pending@x.io', 'u1', '2026-05-01T00:00:00.000Z', { status: 'PENDING' }),
      known('rerolled@x.io', 'u2', '2026-05-01T00:00:00.000Z'),
      known('gone@x.io', 'u3', '2026-05-01T00:00:00.000Z'),
      known('invited-meanwhile@x.io', 'u4', '2026-06-01T00:00:05.000Z')
    ])
    const sinch = listing([member('Pending@x.io'), member('rerolled@x.io', { role: 'ADMIN' }), member('stranger@x.io'), member('stranger@x.io')])
    const r = await refreshProject('p1', sinch, store, () => runAt)
    expect({ members: r.members, managed: r.managed, unmanaged: r.unmanagedCount, accepted: r.accepted, changedByHand: r.changedByHand }).toEqual({ members: 3, managed: 2, unmanaged: 1, accepted: 1, changedByHand: 2 })
    expect([...r.affectedUsers].sort()).toEqual(['u2', 'u3'])
    expect(r.unmanagedSample).toEqual(['stranger@x.io'])
    const after = new Map((await store.listKnownMembers({ projectId: 'p1' })).map((m) => [m.email, m]))
    expect(after.get('pending@x.io')?.status).toBe('ACTIVE')
    expect(after.get('rerolled@x.io')?.role).toBe('ADMIN')
    expect(after.has('gone@x.io')).toBe(false)
    expect(after.has('invited-meanwhile@x.io')).toBe(true)
    expect(after.get('stranger@x.io')?.scimUserId).toBeNull()
  })

  it('an invite answered while a listing runs keeps its row: the listing began before Sinch held the member', async () => {
    const db = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'refresh-')), 'r.db')}`)
    store = db
    let tick = 0
    const clock = (): Date => new Date(Date.UTC(2026, 5, 1, 0, 0, ++tick))
    let answerInvite = (): void => {}
    const invited = new Promise<void>((resolve) => { answerInvite = resolve })
    const sinch: SinchPort = {
      ...listing([]),
      invite: async (projectId, input) => {
        await invited
        return { member: member(input.email, { projectId, status: 'PENDING' }), adopted: false }
      },
      // The page is read before Sinch applied the invite; the invite's answer lands before the sweep.
      async * listMembers () {
        answerInvite()
        while ((await db.knownMembersIn('p1', ['late@x.io'])).length === 0) await new Promise((r) => setTimeout(r, 5))
        yield * []
      }
    }
    const op = { kind: 'invite' as const, projectId: 'p1', email: 'late@x.io', role: 'MEMBER' as const, rule: 'default' }
    const applying = applyOp({ userId: 'u9', sinch, store: db, now: clock, adoptExisting: 'same-or-lower-role' }, op)
    const r = await refreshProject('p1', sinch, db, clock)
    expect((await applying).action).toBe('invite')
    expect(r.changedByHand).toBe(0)
    expect((await db.listKnownMembers({ projectId: 'p1' })).map((m) => `${m.email} ${m.scimUserId ?? '-'}`)).toEqual(['late@x.io u9'])
  })
})
