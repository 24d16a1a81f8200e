import type { ProvisioningStore } from '../store/types.js'
import type { KnownMember } from '../domain/members.js'
import type { SinchMemberView, SinchPort } from '../provisioning/ports.js'
import { addressKey } from '../store/address-key.js'

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

/** Sinch pages hold 100 members; known state is read and written a few pages at a time. */
const CHUNK = 500

/**
 * Lists one managed project page by page and brings the known state up to date: PENDING → ACTIVE,
 * members removed or re-roled by hand. Streams: known members are read for each chunk of the
 * listing, not all at once, so memory holds one chunk plus the set of emails seen. `onListed` is
 * told of each member as it is listed (progress on a terminal).
 */
export async function refreshProject (projectId: string, sinch: SinchPort, store: ProvisioningStore, now: () => Date, signal?: AbortSignal, onListed?: () => void): Promise<ProjectRefresh> {
  const seen = new Set<string>()
  const out: ProjectRefresh = { projectId, members: 0, managed: 0, unmanagedCount: 0, unmanagedSample: [], changedByHand: 0, accepted: 0, affectedUsers: new Set() }
  const seenAt = now().toISOString()
  const opts = signal === undefined ? undefined : { signal }
  let chunk: SinchMemberView[] = []
  const flush = async (): Promise<void> => {
    const known = new Map((await store.knownMembersIn(projectId, chunk.map((m) => addressKey(m.email)))).map((m) => [m.email, m]))
    const changed: KnownMember[] = []
    for (const m of chunk) {
      const before = known.get(addressKey(m.email))
      const next = merge(projectId, m, before, seenAt)
      compare(out, m, before, next)
      if (before === undefined || before.role !== next.role || before.status !== next.status || before.sinchUserId !== next.sinchUserId) changed.push(next)
    }
    if (changed.length > 0) await store.upsertKnownMembers(changed)
    chunk = []
  }
  for await (const m of sinch.listMembers(projectId, opts)) {
    const email = addressKey(m.email)
    if (seen.has(email)) continue
    seen.add(email)
    onListed?.()
    chunk.push(m)
    if (chunk.length >= CHUNK) await flush()
  }
  if (chunk.length > 0) await flush()
  // The sweep: known members Sinch no longer lists were removed by hand (or by another tool).
  // Rows written since this listing began (an invite made meanwhile) are not judged by it.
  for (const k of await store.knownEmailsOf(projectId)) {
    if (seen.has(k.email) || k.seenAt >= seenAt) continue
    await store.deleteKnownMember(projectId, k.email, seenAt)
    if (k.scimUserId !== null) {
      out.changedByHand++
      out.affectedUsers.add(k.scimUserId)
    }
  }
  return out
}

/** Counts one listed member into the report, and notes a managed member changed behind our back. */
function compare (out: ProjectRefresh, m: SinchMemberView, before: KnownMember | undefined, next: KnownMember): void {
  out.members++
  if (next.scimUserId === null) {
    out.unmanagedCount++
    if (out.unmanagedSample.length < 20) out.unmanagedSample.push(next.email)
  } else {
    out.managed++
  }
  if (before === undefined || before.scimUserId === null) return
  if (before.status === 'PENDING' && m.status === 'ACTIVE') out.accepted++
  if (before.role !== m.role || (before.status === 'SUSPENDED') !== (m.status === 'SUSPENDED')) {
    out.changedByHand++
    out.affectedUsers.add(before.scimUserId)
  }
}

function merge (projectId: string, m: SinchMemberView, before: KnownMember | undefined, seenAt: string): KnownMember {
  return {
    projectId,
    email: addressKey(m.email),
    sinchUserId: m.userId,
    role: m.role,
    status: m.status,
    scimUserId: before?.scimUserId ?? null,
    origin: before?.origin ?? null,
    seenAt
  }
}
