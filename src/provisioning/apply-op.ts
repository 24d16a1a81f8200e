import type { AdoptPolicy } from '../config/schema.js'
import type { ProvisioningStore } from '../store/types.js'
import type { KnownMember } from '../domain/members.js'
import { adoptionDetail, conflictRefusal } from './adoption.js'
import type { Op } from './plan.js'
import type { SinchMemberView, SinchPort } from './ports.js'
import { addressKey } from '../store/address-key.js'

export interface ApplyContext {
  userId: string
  sinch: SinchPort
  store: ProvisioningStore
  now: () => Date
  adoptExisting: AdoptPolicy
}

export interface Applied {
  /** The audit action actually taken ('adopt' when an invite met an existing member); 'gone' and 'left-alone' are not audited. */
  action: 'invite' | 'adopt' | 'role' | 'suspend' | 'unsuspend' | 'remove' | 'gone' | 'left-alone'
  /** For an adoption: what the member held before the bridge took it over, for the audit. */
  held: { role: KnownMember['role'], detail: string } | null
}

function toKnown (m: SinchMemberView, userId: string, origin: 'invited' | 'adopted', seenAt: string): KnownMember {
  return { projectId: m.projectId, email: addressKey(m.email), sinchUserId: m.userId, role: m.role, status: m.status, scimUserId: userId, origin, seenAt }
}

/** Resolves the Sinch user id of a known member, listing when the bridge never learnt it. */
async function memberId (ctx: ApplyContext, op: Op & { sinchUserId: string | null }): Promise<string | null> {
  if (op.sinchUserId !== null) return op.sinchUserId
  const found = await ctx.sinch.findMemberByEmail(op.projectId, op.email)
  return found?.userId ?? null
}

/**
 * An invite answered 409 met a member the known state did not have. Take it over only as
 * ADOPT_EXISTING allows; otherwise record it as not managed, so the next plan reports it.
 */
async function conflict (ctx: ApplyContext, member: SinchMemberView, op: Op & { kind: 'invite' }, seenAt: string): Promise<Applied> {
  const held = { projectId: op.projectId, email: member.email, role: member.role, status: member.status }
  if (conflictRefusal(ctx.adoptExisting, held, op.role) === null) {
    await ctx.store.upsertKnownMember(toKnown(member, ctx.userId, 'adopted', seenAt))
    return { action: 'adopt', held: { role: member.role, detail: `invite answered 409: ${adoptionDetail(ctx.adoptExisting, held)}` } }
  }
  const known = (await ctx.store.listKnownMembers({ projectId: op.projectId, email: member.email }))[0]
  if (known === undefined) await ctx.store.upsertKnownMember({ ...toKnown(member, ctx.userId, 'adopted', seenAt), scimUserId: null, origin: null })
  return { action: 'left-alone', held: null }
}

/**
 * Applies one op to Sinch and records what Sinch now holds. Returns the audit action actually
 * taken ('adopt' when an invite met an existing member). Throws Sinch errors unchanged.
 */
export async function applyOp (ctx: ApplyContext, op: Op): Promise<Applied> {
  // Stamped when Sinch has answered, not before the call: a reconcile whose listing began while the
  // call was in flight may not have seen its effect, and must not judge (sweep) this row by it.
  const seenAt = (): string => ctx.now().toISOString()
  const origin = async (): Promise<'invited' | 'adopted'> =>
    (await ctx.store.listKnownMembers({ projectId: op.projectId, email: op.email }))[0]?.origin ?? 'adopted'
  switch (op.kind) {
    case 'invite': {
      const { member, adopted } = await ctx.sinch.invite(op.projectId, { email: op.email, role: op.role })
      if (adopted) return await conflict(ctx, member, op, seenAt())
      await ctx.store.upsertKnownMember(toKnown(member, ctx.userId, 'invited', seenAt()))
      return { action: 'invite', held: null }
    }
    case 'adopt': {
      const existing = (await ctx.store.listKnownMembers({ projectId: op.projectId, email: op.email }))[0]
      if (existing !== undefined) await ctx.store.upsertKnownMember({ ...existing, scimUserId: ctx.userId, origin: 'adopted', seenAt: seenAt() })
      return { action: 'adopt', held: { role: op.held.role, detail: adoptionDetail(ctx.adoptExisting, { ...op.held, projectId: op.projectId, email: op.email }) } }
    }
    case 'role':
    case 'suspend':
    case 'unsuspend': {
      const id = await memberId(ctx, op)
      if (id === null) {
        await ctx.store.deleteKnownMember(op.projectId, op.email)
        return { action: 'gone', held: null }
      }
      const patch = op.kind === 'role' ? { role: op.to } : { status: op.kind === 'suspend' ? 'SUSPENDED' as const : 'ACTIVE' as const }
      const member = await ctx.sinch.updateMember(op.projectId, id, patch)
      await ctx.store.upsertKnownMember(toKnown(member, ctx.userId, await origin(), seenAt()))
      return { action: op.kind, held: null }
    }
    case 'remove': {
      const id = await memberId(ctx, op)
      if (id !== null) await ctx.sinch.removeMember(op.projectId, id)
      await ctx.store.deleteKnownMember(op.projectId, op.email)
      return { action: 'remove', held: null }
    }
  }
}
