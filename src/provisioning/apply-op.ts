import type { KnownMember, ProvisioningStore } from '../store/types.js'
import type { Op } from './plan.js'
import type { SinchMemberView, SinchPort } from './ports.js'
import { addressKey } from '../store/address-key.js'

export interface ApplyContext {
  userId: string
  sinch: SinchPort
  store: ProvisioningStore
  now: () => Date
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
 * Applies one op to Sinch and records what Sinch now holds. Returns the audit action actually
 * taken ('adopt' when an invite met an existing member). Throws Sinch errors unchanged.
 */
export async function applyOp (ctx: ApplyContext, op: Op): Promise<'invite' | 'adopt' | 'role' | 'suspend' | 'unsuspend' | 'remove' | 'gone'> {
  // Stamped when Sinch has answered, not before the call: a reconcile whose listing began while the
  // call was in flight may not have seen its effect, and must not judge (sweep) this row by it.
  const seenAt = (): string => ctx.now().toISOString()
  const origin = async (): Promise<'invited' | 'adopted'> =>
    (await ctx.store.listKnownMembers({ projectId: op.projectId, email: op.email }))[0]?.origin ?? 'adopted'
  switch (op.kind) {
    case 'invite': {
      const { member, adopted } = await ctx.sinch.invite(op.projectId, { email: op.email, role: op.role })
      await ctx.store.upsertKnownMember(toKnown(member, ctx.userId, adopted ? 'adopted' : 'invited', seenAt()))
      return adopted ? 'adopt' : 'invite'
    }
    case 'adopt': {
      const existing = (await ctx.store.listKnownMembers({ projectId: op.projectId, email: op.email }))[0]
      if (existing !== undefined) await ctx.store.upsertKnownMember({ ...existing, scimUserId: ctx.userId, origin: 'adopted', seenAt: seenAt() })
      return 'adopt'
    }
    case 'role':
    case 'suspend':
    case 'unsuspend': {
      const id = await memberId(ctx, op)
      if (id === null) {
        await ctx.store.deleteKnownMember(op.projectId, op.email)
        return 'gone'
      }
      const patch = op.kind === 'role' ? { role: op.to } : { status: op.kind === 'suspend' ? 'SUSPENDED' as const : 'ACTIVE' as const }
      const member = await ctx.sinch.updateMember(op.projectId, id, patch)
      await ctx.store.upsertKnownMember(toKnown(member, ctx.userId, await origin(), seenAt()))
      return op.kind
    }
    case 'remove': {
      const id = await memberId(ctx, op)
      if (id !== null) await ctx.sinch.removeMember(op.projectId, id)
      await ctx.store.deleteKnownMember(op.projectId, op.email)
      return 'remove'
    }
  }
}
