import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Role } from '../../../src/config/schema.js'
import { createLogger } from '../../../src/observability/logger.js'
import { ClaimLostError } from '../../../src/provisioning/claim-lost-error.js'
import { createExecutor } from '../../../src/provisioning/executor.js'
import type { SinchMemberView, SinchPort } from '../../../src/provisioning/ports.js'
import type { RulesConfig } from '../../../src/provisioning/rules.js'
import { createStore, type Store } from '../../../src/store/index.js'

const rules = (managed: string[]): RulesConfig => ({ managedProjects: managed, defaultProjects: managed, defaultRole: 'MEMBER', allowOwner: false, deactivateAction: 'remove', adoptExisting: 'same-or-lower-role', mapping: null })

/** Sinch as the executor sees it: members in memory; `refuse` makes an invite fail with a kind of error. */
function fakeSinch () {
  const members: SinchMemberView[] = []
  const calls: string[] = []
  let refuse: { kind: 'permanent' | 'transient', message: string, projectId?: string } | null = null
  let n = 0
  let delayMs = 0
  const flight = { now: 0, most: 0 }
  const port: SinchPort = {
    async * listMembers (projectId) { for (const m of members) if (m.projectId === projectId) yield m },
    findMemberByEmail: async (projectId, email) => members.find((m) => m.projectId === projectId && m.email === email) ?? null,
    async invite (projectId, input: { email: string, role: Role }) {
      calls.push(`invite ${projectId} ${input.email} ${input.role}`)
      flight.most = Math.max(flight.most, ++flight.now)
      try { if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, projectId === refuse?.projectId ? delayMs / 4 : delayMs)) } finally { flight.now-- }
      if (refuse !== null && (refuse.projectId ?? projectId) === projectId) throw Object.assign(new Error(refuse.message), { kind: refuse.kind, code: refuse.kind === 'permanent' ? 'SINCH_PERMANENT' : 'SINCH_TRANSIENT' })
      const member: SinchMemberView = { userId: `m${++n}`, email: input.email, role: input.role, status: 'PENDING', projectId }
      members.push(member)
      return { member, adopted: false }
    },
    async updateMember (projectId, userId) { calls.push(`update ${projectId} ${userId}`); return members.find((m) => m.userId === userId) as SinchMemberView },
    async removeMember (projectId, userId) {
      calls.push(`remove ${projectId} ${userId}`)
      const i = members.findIndex((m) => m.userId === userId)
      if (i >= 0) members.splice(i, 1)
      return { alreadyGone: i < 0 }
    }
  }
  return { port, calls, flight, refuseWith (r: typeof refuse) { refuse = r }, delay (ms: number) { delayMs = ms } }
}

describe('executor: one user\'s plan against Sinch', () => {
  let store: Store
  let sinch: ReturnType<typeof fakeSinch>
  const user = async (email: string, active = true): Promise<string> =>
    (await store.createUser({ userName: email, externalId: null, displayName: null, active, emails: [{ value: email, type: 'work', primary: true }], resource: {} })).id
  const executor = (managed: string[], projectsAtOnce?: number) => createExecutor({ store, sinch: sinch.port, rules: rules(managed), logger: createLogger('silent'), projectsAtOnce })
  beforeEach(async () => {
    store = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'exec-')), 'b.db')}`)
    sinch = fakeSinch()
  })
  afterEach(async () => { await store.close() })

  it('invites an active user in every default project, records it, and a second run changes nothing', async () => {
    const id = await user('ann@x.io')
    const ex = executor(['p1', 'p2'])
    expect((await ex.runUser(id)).status).toBe('done')
    expect(sinch.calls).toEqual(['invite p1 ann@x.io MEMBER', 'invite p2 ann@x.io MEMBER'])
    expect((await store.listKnownMembers({ scimUserId: id })).map((m) => m.projectId).sort()).toEqual(['p1', 'p2'])
    expect((await store.listAudit({ scimUserId: id, limit: 10 })).map((a) => [a.action, a.outcome])).toEqual([['invite', 'ok'], ['invite', 'ok']])
    expect((await ex.runUser(id)).status).toBe('done')
    expect(sinch.calls.length).toBe(2)
  })

  it('a deactivated user loses what the bridge gave them', async () => {
    const id = await user('bob@x.io')
    const ex = executor(['p1'])
    await ex.runUser(id)
    await store.updateUser(id, { userName: 'bob@x.io', externalId: null, displayName: null, active: false, emails: [{ value: 'bob@x.io', type: 'work', primary: true }], resource: {} }, null)
    expect((await ex.runUser(id)).status).toBe('done')
    expect(sinch.calls.at(-1)).toBe('remove p1 m1')
    expect(await store.listKnownMembers({ scimUserId: id })).toEqual([])
  })

  it('projects run side by side, at most projectsAtOnce of them: six projects in two waves of calls', async () => {
    const id = await user('wide@x.io')
    sinch.delay(40)
    expect((await executor(['p1', 'p2', 'p3', 'p4', 'p5', 'p6'], 3).runUser(id)).status).toBe('done')
    // Calls overlapping in flight, not a wall-clock bound: a CPU starved by other test files stretches time, not overlap.
    expect(sinch.flight.most).toBe(3)
    expect((await store.listKnownMembers({ scimUserId: id })).map((m) => m.projectId).sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
    expect((await store.listOpStates({ userId: id })).map((o) => o.state)).toEqual(Array(6).fill('done'))
  })

  it('with stopOnRejection a refusal starts nothing more; the calls already in flight finish, are kept and audited, and the project never tried is not recorded done', async () => {
    const id = await user('half@x.io')
    sinch.delay(40)
    sinch.refuseWith({ kind: 'permanent', message: 'seat limit reached', projectId: 'p1' })
    const out = await executor(['p1', 'p2', 'p3'], 2).runUser(id, { stopOnRejection: true })
    expect(out.status).toBe('rejected')
    expect(out.rejections.map((r) => r.projectId)).toEqual(['p1'])
    expect(sinch.calls).toEqual(['invite p1 half@x.io MEMBER', 'invite p2 half@x.io MEMBER'])
    // p2's invite went out beside p1's: it stands in the known state (the caller's undo sees it) and in the audit.
    expect((await store.listKnownMembers({ scimUserId: id })).map((m) => m.projectId)).toEqual(['p2'])
    expect((await store.listAudit({ scimUserId: id, limit: 10 })).map((a) => `${a.projectId} ${a.outcome}`).sort()).toEqual(['p1 failed', 'p2 ok'])
    expect((await store.listOpStates({ userId: id })).map((o) => `${o.projectId} ${o.state}`).sort()).toEqual(['p1 failed', 'p2 done'])
  })

  it('a permanent refusal comes back as a rejection and a failed change; with stopOnRejection, one project at a time, no other project is asked', async () => {
    const id = await user('bad@x.io')
    sinch.refuseWith({ kind: 'permanent', message: 'invalid email' })
    const out = await executor(['p1', 'p2'], 1).runUser(id, { stopOnRejection: true })
    expect(out.status).toBe('rejected')
    expect(out.rejections).toEqual([{ userId: id, projectId: 'p1', detail: expect.stringContaining('invalid email') as unknown as string }])
    expect(sinch.calls).toEqual(['invite p1 bad@x.io MEMBER'])
    expect((await store.listOpStates({ userId: id })).find((o) => o.projectId === 'p1')?.state).toBe('failed')
  })

  it('a transient failure asks for a retry and records no rejection', async () => {
    const id = await user('later@x.io')
    sinch.refuseWith({ kind: 'transient', message: 'Sinch 503' })
    const out = await executor(['p1']).runUser(id)
    expect([out.status, out.rejections]).toEqual(['retry', []])
  })

  it('writes nothing to Sinch once the queue claim is no longer held', async () => {
    const id = await user('lost@x.io')
    await expect(executor(['p1']).runUser(id, { stillHolds: async () => false })).rejects.toBeInstanceOf(ClaimLostError)
    expect(sinch.calls).toEqual([])
  })
})
