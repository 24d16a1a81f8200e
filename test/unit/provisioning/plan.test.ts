import { describe, expect, it } from 'vitest'
import { planUser, type PlanInput } from '../../../src/provisioning/plan.js'
import type { Desired, DesiredAccess } from '../../../src/domain/grants.js'
import { NO_EMAIL } from '../../../src/provisioning/rules.js'
import type { KnownMember } from '../../../src/domain/members.js'
import type { Role } from '../../../src/config/schema.js'

function known (over: Partial<KnownMember>): KnownMember {
  return { projectId: 'p1', email: 'ann@example.com', sinchUserId: 's1', role: 'MEMBER', status: 'ACTIVE', scimUserId: 'u1', origin: 'invited', seenAt: '2026-01-01T00:00:00Z', ...over }
}

function desired (projects: Record<string, Desired>, email: string | null = 'ann@example.com'): DesiredAccess {
  return { email, emailAsSent: email, projects: new Map(Object.entries(projects)) }
}

const member = (role: Role): Desired => ({ kind: 'member', role, rule: 'r' })
const none: Desired = { kind: 'none', rule: 'r' }

function plan (over: Partial<PlanInput> & { desired: DesiredAccess }): ReturnType<typeof planUser> {
  return planUser({ userId: 'u1', managed: [], byEmail: new Map(), allowOwner: false, adoptExisting: 'always', ...over })
}

const kinds = (p: ReturnType<typeof planUser>): string[] => p.ops.map((o) => `${o.kind}:${o.projectId}${o.kind === 'role' ? `:${o.from}->${o.to}` : o.kind === 'invite' ? `:${o.role}` : ''}`)

describe('planUser', () => {
  it('invites where the user should be a member and is unknown', () => {
    expect(kinds(plan({ desired: desired({ p1: member('MEMBER'), p2: member('ADMIN') }) }))).toEqual(['invite:p1:MEMBER', 'invite:p2:ADMIN'])
  })

  it('does nothing when Sinch already matches (pending or active)', () => {
    const p = plan({ desired: desired({ p1: member('MEMBER'), p2: member('ADMIN') }), managed: [known({}), known({ projectId: 'p2', role: 'ADMIN', status: 'PENDING' })] })
    expect(p.ops).toEqual([])
  })

  it('an active user without an address: nothing to invite, and a no-email note on every project', () => {
    const p = plan({ desired: desired({ p1: { kind: 'none', rule: NO_EMAIL }, p2: { kind: 'none', rule: NO_EMAIL } }, null) })
    expect(p.ops).toEqual([])
    expect(p.notes.map((n) => `${n.kind}:${n.projectId}`)).toEqual(['no-email:p1', 'no-email:p2'])
    // Offboarded users without an address are not a problem to report.
    expect(plan({ desired: desired({ p1: none }, null) }).notes).toEqual([])
  })

  it('changes the role in place instead of re-inviting', () => {
    expect(kinds(plan({ desired: desired({ p1: member('ADMIN') }), managed: [known({})] }))).toEqual(['role:p1:MEMBER->ADMIN'])
  })

  it('adopts an existing unmanaged member with the same email, then fixes its role', () => {
    const existing = known({ scimUserId: null, origin: null, role: 'READONLY' })
    const p = plan({ desired: desired({ p1: member('MEMBER') }), byEmail: new Map([['p1', existing]]) })
    expect(kinds(p)).toEqual(['adopt:p1', 'role:p1:READONLY->MEMBER'])
  })

  it('ADOPT_EXISTING decides whether an unmanaged member is taken over, and a refusal is said out loud', () => {
    const held = (role: Role): Map<string, KnownMember> => new Map([['p1', known({ scimUserId: null, origin: null, role })]])
    const want = desired({ p1: member('MEMBER') })
    const under = (adoptExisting: PlanInput['adoptExisting'], role: Role): ReturnType<typeof planUser> => plan({ desired: want, byEmail: held(role), adoptExisting })
    // same-or-lower-role: never lowers what the person holds.
    expect(kinds(under('same-or-lower-role', 'READONLY'))).toEqual(['adopt:p1', 'role:p1:READONLY->MEMBER'])
    expect(kinds(under('same-or-lower-role', 'MEMBER'))).toEqual(['adopt:p1'])
    for (const role of ['ADMIN', 'OWNER'] as const) {
      const p = under('same-or-lower-role', role)
      expect(p.ops).toEqual([])
      expect(p.notes).toMatchObject([{ kind: 'adopt-refused', projectId: 'p1', detail: expect.stringContaining(`already ${role}`) }])
    }
    const never = under('never', 'MEMBER')
    expect(never.ops).toEqual([])
    expect(never.notes[0]?.detail).toMatch(/ADOPT_EXISTING=never/)
    expect(kinds(under('always', 'ADMIN'))).toEqual(['adopt:p1', 'role:p1:ADMIN->MEMBER'])
    // The adoption carries what the member held, for the audit.
    expect(under('always', 'ADMIN').ops[0]).toMatchObject({ kind: 'adopt', held: { role: 'ADMIN', status: 'ACTIVE' } })
  })

  it('a deactivated user whose address is an unmanaged member: nothing removed, and a note says the access stays', () => {
    const byEmail = new Map([['p1', known({ scimUserId: null, origin: null, role: 'ADMIN' })]])
    const p = plan({ desired: desired({ p1: none, p2: none }), byEmail, deactivated: true })
    expect(p.ops).toEqual([])
    expect(p.notes).toMatchObject([{ kind: 'adopt-refused', projectId: 'p1', detail: expect.stringMatching(/still holds ADMIN .*not removed on deactivation/) }])
    // Deleted users and users who merely lack a grant are not offboarding notes.
    expect(plan({ desired: desired({ p1: none }), byEmail }).notes).toEqual([])
  })

  it('refuses to take a member already managed for another SCIM user', () => {
    const p = plan({ desired: desired({ p1: member('MEMBER') }), byEmail: new Map([['p1', known({ scimUserId: 'u2' })]]) })
    expect(p.ops).toEqual([])
    expect(p.notes).toMatchObject([{ kind: 'email-taken', projectId: 'p1' }])
  })

  it('removes what the user should no longer hold', () => {
    expect(kinds(plan({ desired: desired({ p1: none, p2: none }), managed: [known({}), known({ projectId: 'p2', status: 'PENDING' })] }))).toEqual(['remove:p1', 'remove:p2'])
  })

  it('never touches an OWNER without ALLOW_OWNER, and says so', () => {
    const owner = known({ role: 'OWNER' })
    for (const want of [none, member('MEMBER'), { kind: 'suspended', rule: 'r' } as Desired, { kind: 'readonly', rule: 'r' } as Desired]) {
      const p = plan({ desired: desired({ p1: want }), managed: [owner] })
      expect(p.ops).toEqual([])
      expect(p.notes[0]?.kind).toBe('owner-protected')
    }
    expect(kinds(plan({ desired: desired({ p1: none }), managed: [owner], allowOwner: true }))).toEqual(['remove:p1'])
    expect(kinds(plan({ desired: desired({ p1: member('ADMIN') }), managed: [owner], allowOwner: true }))).toEqual(['role:p1:OWNER->ADMIN'])
  })

  it('suspends an active member and cancels a pending invite when deactivating with suspend', () => {
    const want: Desired = { kind: 'suspended', rule: 'r' }
    expect(kinds(plan({ desired: desired({ p1: want, p2: want, p3: want }), managed: [known({}), known({ projectId: 'p2', status: 'PENDING' }), known({ projectId: 'p3', status: 'SUSPENDED' })] })))
      .toEqual(['suspend:p1', 'remove:p2'])
  })

  it('unsuspends on reactivation', () => {
    expect(kinds(plan({ desired: desired({ p1: member('MEMBER') }), managed: [known({ status: 'SUSPENDED' })] }))).toEqual(['unsuspend:p1'])
  })

  it('demotes to READONLY with readonly and never invites for it', () => {
    const want: Desired = { kind: 'readonly', rule: 'r' }
    expect(kinds(plan({ desired: desired({ p1: want, p2: want }), managed: [known({ role: 'ADMIN' })] }))).toEqual(['role:p1:ADMIN->READONLY'])
  })

  it('moves the membership when the identity email changes: invite the new first, remove the old once Sinch holds the new', () => {
    const old = [known({ email: 'old@example.com' }), known({ projectId: 'p2', email: 'old@example.com', sinchUserId: 's2' })]
    const first = plan({ desired: desired({ p1: member('MEMBER'), p2: member('MEMBER') }, 'new@example.com'), managed: old })
    expect(first.ops.map((o) => `${o.kind}:${o.projectId}:${o.email}`)).toEqual(['invite:p1:new@example.com', 'invite:p2:new@example.com'])
    // p1 took the new address, p2 not yet: only p1's old member goes, after everything else.
    const second = plan({ desired: desired({ p1: member('MEMBER'), p2: member('MEMBER') }, 'new@example.com'), managed: [...old, known({ email: 'new@example.com', status: 'PENDING' })] })
    expect(second.ops.map((o) => `${o.kind}:${o.projectId}:${o.email}`)).toEqual(['invite:p2:new@example.com', 'remove:p1:old@example.com'])
    // The old member's removal is a wave of its own: it starts only once every invite has ended.
    expect(second.waves.map((w) => w.map((o) => `${o.kind}:${o.projectId}`))).toEqual([['invite:p2'], ['remove:p1']])
    // Access no longer wanted: the old member goes at once, there is nothing to wait for.
    expect(kinds(plan({ desired: desired({ p1: none }, 'new@example.com'), managed: [old[0] as KnownMember] }))).toEqual(['remove:p1'])
  })

  it('invites with the email as the IdP spelled it', () => {
    const p = planUser({ userId: 'u1', managed: [], byEmail: new Map(), allowOwner: false, adoptExisting: 'always', desired: { email: 'ann@example.com', emailAsSent: 'Ann@Example.com', projects: new Map([['p1', member('MEMBER')]]) } })
    expect(p.ops[0]).toMatchObject({ kind: 'invite', email: 'Ann@Example.com' })
  })

  it('plans nothing but removals for a user without an email', () => {
    expect(kinds(plan({ desired: desired({ p1: none }, null), managed: [known({})] }))).toEqual(['remove:p1'])
    expect(plan({ desired: desired({ p1: none }, null) }).ops).toEqual([])
  })
})
