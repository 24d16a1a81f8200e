import type { AdoptPolicy, Role } from '../config/schema.js'
import type { KnownMember, MemberRole, MemberStatus } from '../domain/members.js'
import { adoptionRefusal } from './adoption.js'
import type { Desired, DesiredAccess } from '../domain/grants.js'
import { NO_EMAIL } from './rules.js'

interface OpBase { projectId: string, email: string, rule: string }
export type Op =
  | OpBase & { kind: 'invite', role: Role }
  /** Local only: an existing Sinch member with the user's email becomes managed (never invited twice). */
  | OpBase & { kind: 'adopt', sinchUserId: string | null, held: { role: MemberRole, status: MemberStatus } }
  | OpBase & { kind: 'role', sinchUserId: string | null, from: Role, to: Role }
  | OpBase & { kind: 'suspend' | 'unsuspend' | 'remove', sinchUserId: string | null }

/** Something the plan will not do, said out loud so the status page and the reconcile report show it. */
export interface PlanNote { projectId: string, email: string, kind: 'owner-protected' | 'email-taken' | 'no-email' | 'adopt-refused' | 'unknown-role', detail: string }

/**
 * `waves`: the ops in the order they may run. Within a wave each project's ops run in order and
 * projects may run side by side; a wave starts once the one before it has ended.
 * `ops` is the waves one after the other.
 */
export interface Plan { ops: Op[], waves: Op[][], notes: PlanNote[] }

export interface PlanInput {
  userId: string
  desired: DesiredAccess
  /** Members this user already manages, in any managed project (possibly under an old email). */
  managed: KnownMember[]
  /** Per project, the member holding the user's identity email, if any (managed or not). */
  byEmail: Map<string, KnownMember>
  allowOwner: boolean
  adoptExisting: AdoptPolicy
  /** Deactivated in the IdP (not deleted): access the bridge does not manage is reported, not silently kept. */
  deactivated?: boolean
}

/**
 * Desired state vs known Sinch state → the minimal ops. Pure: the same planner serves the request
 * path and the reconciler, and every retry re-plans from state, so a repeat cannot double anything.
 */
export function planUser (input: PlanInput): Plan {
  const ops: Op[] = []
  const moved: Op[] = []
  const notes: PlanNote[] = []
  for (const [projectId, want] of input.desired.projects) {
    planProject(input, projectId, want, ops, moved, notes)
  }
  // Members under an old address go in a wave of their own, after every project's invite: the
  // executor starts nothing after a refusal, so a refused new address (in any project) leaves all
  // old access in place.
  return { ops: [...ops, ...moved], waves: [ops, moved].filter((w) => w.length > 0), notes }
}

function planProject (input: PlanInput, projectId: string, want: Desired, ops: Op[], moved: Op[], notes: PlanNote[]): void {
  const email = input.desired.email
  const mine = input.managed.filter((m) => m.projectId === projectId)
  const current = email === null ? undefined : mine.find((m) => m.email === email)
  if (input.deactivated === true && current === undefined) reportUnmanaged(input, projectId, notes)
  // Members under an email the user no longer has: the identity moved, so the old one goes —
  // but only once Sinch holds the new one. While the new address still has to be invited, the
  // old member stays: removing it first would leave the user without access if Sinch refuses
  // the new address (and re-inviting the old one would turn an ACTIVE member back to PENDING).
  const awaitingNew = want.kind === 'member' && email !== null && current === undefined
  if (!awaitingNew) {
    for (const stale of mine.filter((m) => m !== current)) {
      removeOrProtect(input, stale, `identity email changed (${want.rule})`, moved, notes)
    }
  }
  if (want.kind === 'none') {
    if (current !== undefined) removeOrProtect(input, current, want.rule, ops, notes)
    if (email === null && want.rule === NO_EMAIL) notes.push({ projectId, email: '', kind: 'no-email', detail: 'no address to invite: the user has no email and its userName is not one' })
    return
  }
  if (email === null) return
  if (want.kind === 'member') {
    planMember(input, projectId, email, want.role, want.rule, current, ops, notes)
    return
  }
  if (current === undefined) return
  if (want.kind === 'readonly') {
    if (current.role !== 'READONLY') changeRole(input, current, 'READONLY', want.rule, ops, notes)
    return
  }
  // suspended: a PENDING invite cannot be suspended in Sinch; cancel it so no access is left open.
  if (current.status === 'PENDING') removeOrProtect(input, current, want.rule, ops, notes)
  else if (current.status === 'ACTIVE') guardOwner(input, current, want.rule, ops, notes, { kind: 'suspend', projectId, email: current.email, sinchUserId: current.sinchUserId, rule: want.rule })
}

function planMember (input: PlanInput, projectId: string, email: string, role: Role, rule: string, current: KnownMember | undefined, ops: Op[], notes: PlanNote[]): void {
  let member = current
  if (member === undefined) {
    const existing = input.byEmail.get(projectId)
    if (existing !== undefined && existing.scimUserId !== null && existing.scimUserId !== input.userId) {
      notes.push({ projectId, email, kind: 'email-taken', detail: `${email} is already managed for another SCIM user` })
      return
    }
    if (existing === undefined) {
      ops.push({ kind: 'invite', projectId, email: input.desired.emailAsSent ?? email, role, rule })
      return
    }
    // Someone else's member: take it over only as ADOPT_EXISTING allows, and otherwise say so.
    const refusal = adoptionRefusal(input.adoptExisting, existing, role)
    if (refusal !== null) {
      notes.push({ projectId, email, kind: 'adopt-refused', detail: refusal })
      return
    }
    ops.push({ kind: 'adopt', projectId, email, sinchUserId: existing.sinchUserId, held: { role: existing.role, status: existing.status }, rule })
    member = existing
  }
  if (member.role !== role) changeRole(input, member, role, rule, ops, notes)
  if (member.status === 'SUSPENDED') {
    guardOwner(input, member, rule, ops, notes, { kind: 'unsuspend', projectId, email: member.email, sinchUserId: member.sinchUserId, rule })
  }
}

/**
 * A deactivated user whose address is a member the bridge never took over (ADOPT_EXISTING) keeps
 * that access: the bridge only removes what it manages. Said out loud, so offboarding is not
 * mistaken for done.
 */
function reportUnmanaged (input: PlanInput, projectId: string, notes: PlanNote[]): void {
  const held = input.byEmail.get(projectId)
  if (held === undefined || held.scimUserId !== null) return
  notes.push({ projectId, email: held.email, kind: 'adopt-refused', detail: `${held.email} still holds ${held.role} (${held.status}) in ${projectId}, added outside the bridge and never taken over (ADOPT_EXISTING=${input.adoptExisting}): not removed on deactivation; remove it in Sinch if it should go` })
}

function changeRole (input: PlanInput, m: KnownMember, to: Role, rule: string, ops: Op[], notes: PlanNote[]): void {
  const from = m.role
  if (from === 'UNKNOWN') { leaveUnknown(m, rule, notes); return }
  guardOwner(input, m, rule, ops, notes, { kind: 'role', projectId: m.projectId, email: m.email, sinchUserId: m.sinchUserId, from, to, rule })
}

function removeOrProtect (input: PlanInput, m: KnownMember, rule: string, ops: Op[], notes: PlanNote[]): void {
  guardOwner(input, m, rule, ops, notes, { kind: 'remove', projectId: m.projectId, email: m.email, sinchUserId: m.sinchUserId, rule })
}

/** OWNER is never demoted, suspended or removed by the bridge unless ALLOW_OWNER=true. */
function guardOwner (input: PlanInput, m: KnownMember, rule: string, ops: Op[], notes: PlanNote[], op: Op): void {
  if (m.role === 'UNKNOWN' || m.status === 'UNKNOWN') { leaveUnknown(m, rule, notes); return }
  if (m.role === 'OWNER' && !input.allowOwner) {
    notes.push({ projectId: m.projectId, email: m.email, kind: 'owner-protected', detail: `${m.email} is OWNER; left unchanged (${rule}; set ALLOW_OWNER=true to let the bridge change owners)` })
    return
  }
  ops.push(op)
}

/** A role or status the bridge cannot read cannot be ranked either: never touch it (issue 13, item 6). */
function leaveUnknown (m: KnownMember, rule: string, notes: PlanNote[]): void {
  notes.push({ projectId: m.projectId, email: m.email, kind: 'unknown-role', detail: `${m.email} has a role or status the bridge does not know (see SINCH_ROLE_MAP); left unchanged (${rule})` })
}
