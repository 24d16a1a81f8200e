import type { KnownMember, ProvisioningStore } from '../store/types.js'
import type { SinchMemberView, SinchPort } from '../provisioning/ports.js'

export interface ProjectRefresh {
  projectId: string
  members: number
  managed: number
  /** Members the bridge neither created nor adopted: reported, never changed. */
  unmanagedCount: number
  /** The first few of them, for the report (a project may hold thousands). */
  unmanagedSample: string[]
  /** Managed members that vanished or changed in Sinch by hand: their users are re-planned. */
  changedByHand: number
  accepted: number
  affectedUsers: Set<string>
}

const PAGE_FLUSH = 500

/**
 * Lists one managed project page by page and brings the known state up to date: PENDING → ACTIVE,
 * members removed or re-roled by hand. Streams, so memory grows with one project's emails only.
 */
export async function refreshProject (projectId: string, sinch: SinchPort, store: ProvisioningStore, now: () => Date, signal?: AbortSignal): Promise<ProjectRefresh> {
  const known = new Map((await store.listKnownMembers({ projectId })).map((m) => [m.email, m]))
  const seen = new Set<string>()
  const out: ProjectRefresh = { projectId, members: 0, managed: 0, unmanagedCount: 0, unmanagedSample: [], changedByHand: 0, accepted: 0, affectedUsers: new Set() }
  let pending: KnownMember[] = []
  const seenAt = now().toISOString()
  const opts = signal === undefined ? undefined : { signal }
  for await (const m of sinch.listMembers(projectId, opts)) {
    const email = m.email.toLowerCase()
    if (seen.has(email)) continue
    seen.add(email)
    out.members++
    const before = known.get(email)
    const next = merge(projectId, m, before, seenAt)
    if (next.scimUserId === null) {
      out.unmanagedCount++
      if (out.unmanagedSample.length < 20) out.unmanagedSample.push(email)
    } else {
      out.managed++
    }
    if (before !== undefined && before.scimUserId !== null) {
      if (before.status === 'PENDING' && m.status === 'ACTIVE') out.accepted++
      if (before.role !== m.role || (before.status === 'SUSPENDED') !== (m.status === 'SUSPENDED')) {
        out.changedByHand++
        out.affectedUsers.add(before.scimUserId)
      }
    }
    if (before === undefined || before.role !== next.role || before.status !== next.status || before.sinchUserId !== next.sinchUserId) pending.push(next)
    if (pending.length >= PAGE_FLUSH) {
      await store.upsertKnownMembers(pending)
      pending = []
    }
  }
  if (pending.length > 0) await store.upsertKnownMembers(pending)
  for (const [email, m] of known) {
    if (seen.has(email)) continue
    await store.deleteKnownMember(projectId, email)
    if (m.scimUserId !== null) {
      out.changedByHand++
      out.affectedUsers.add(m.scimUserId)
    }
  }
  return out
}

function merge (projectId: string, m: SinchMemberView, before: KnownMember | undefined, seenAt: string): KnownMember {
  return {
    projectId,
    email: m.email.toLowerCase(),
    sinchUserId: m.userId,
    role: m.role,
    status: m.status,
    scimUserId: before?.scimUserId ?? null,
    origin: before?.origin ?? null,
    seenAt
  }
}
