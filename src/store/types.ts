import type { AuditEntry } from '../domain/audit.js'
import type { KnownMember } from '../domain/members.js'
import type { OpState } from '../domain/op-states.js'
import type { ProvisioningSubject } from '../domain/subjects.js'

/**
 * The store is the only code that speaks SQL. It has two halves owned by two layers:
 * the directory half (desired state from the IdP) and the provisioning half (what the bridge knows
 * of Sinch, the durable work queue, audit and leases). Every method is async so SQLite and
 * PostgreSQL share one interface and one contract suite. The records they keep are domain types
 * (src/domain/); the store only implements these interfaces over them.
 */

export interface QueueEntry {
  userId: string
  /** Bumped by every enqueue; completing an older generation leaves the newer work queued. */
  generation: number
  attempts: number
  dueAt: string
  lastError: string | null
  enqueuedAt: string
}

export interface OwnerBeat {
  /** When the owner process started (kept from its first beat; shown when its claims are taken over). */
  startedAt: string
  now: string
  ttlMs: number
  leaseMs: number
  userIds: string[]
}

/** Read side of the directory that provisioning needs; implemented next to the directory tables. */
export interface SubjectReader {
  /** Subjects for planning; includes deleted tombstones. */
  getSubject (userId: string): Promise<ProvisioningSubject | null>
  listSubjectIds (): Promise<string[]>
  /** Live users who have this address as userName or among their emails (case-insensitive). */
  userIdsWithAddress (email: string): Promise<string[]>
  /** Removes the tombstone of a deleted user once Sinch holds nothing for it. */
  purgeDeletedUser (userId: string): Promise<void>
}

export interface ProvisioningStore {
  enqueue (userIds: string[], dueAt?: string): Promise<void>
  /**
   * Claims up to `limit` due entries for `leaseMs`. An entry is free when unclaimed, when its lease
   * has run out, or when its owner's heartbeat has expired (the owner is dead).
   */
  claimDue (now: string, limit: number, owner: string, leaseMs: number): Promise<QueueEntry[]>
  /**
   * Claims one user's entry whatever its due time (the SCIM request path runs a change at once):
   * the entry, 'claimed' while another worker or replica holds it, or null when nothing is queued.
   */
  claimUser (userId: string, now: string, owner: string, leaseMs: number): Promise<QueueEntry | 'claimed' | null>
  /** Removes the entry if it was not re-enqueued since it was claimed (a newer change must re-plan). */
  complete (userId: string, generation: number): Promise<void>
  retryLater (userId: string, dueAt: string, error: string): Promise<void>
  /**
   * The heartbeat of a claiming process: keeps `owner` alive until `now + ttlMs` (once that passes,
   * every claim it holds may be taken at once) and renews to `now + leaseMs` the claims on `userIds`
   * it still holds, which it returns. A user missing from the answer was taken over: stop its work.
   */
  heartbeat (owner: string, beat: OwnerBeat): Promise<string[]>
  /** True while `owner` holds the user's claim: its lease runs and its heartbeat has not expired. */
  holdsClaim (userId: string, owner: string, now: string): Promise<boolean>
  /** A clean stop: frees every claim of `owner` and forgets it, so nobody waits for them. */
  releaseOwner (owner: string): Promise<void>
  queueDepth (): Promise<{ depth: number, oldestEnqueuedAt: string | null }>
  /**
   * The queued users themselves, oldest first, at most `limit` (or those among `userIds`): what
   * queueDepth counts, with why each waits (when it is due, its attempts, the last error).
   */
  listQueue (filter: { userIds?: string[], limit: number }): Promise<QueueEntry[]>

  upsertKnownMember (m: KnownMember): Promise<void>
  /** One transaction for a whole page of a reconcile listing (100k members must not mean 100k commits). */
  upsertKnownMembers (ms: KnownMember[]): Promise<void>
  /**
   * With `seenBefore`, only a row last written before that instant goes: a reconcile's sweep must
   * not delete what an invite recorded after its listing began.
   */
  deleteKnownMember (projectId: string, email: string, seenBefore?: string): Promise<void>
  listKnownMembers (filter?: { projectId?: string, scimUserId?: string, email?: string }): Promise<KnownMember[]>
  /** The known members of one project among these (lower-cased) emails: one reconcile page at a time. */
  knownMembersIn (projectId: string, emails: string[]): Promise<KnownMember[]>
  /** Every known email of a project with its SCIM user, and nothing else: what a reconcile's sweep needs. */
  knownEmailsOf (projectId: string): Promise<Array<{ email: string, scimUserId: string | null, seenAt: string }>>
  /** The members the bridge manages in a project, by email, at most `limit`, with how many match in all (the status page). */
  managedMembers (projectId: string, opts: { emailContains?: string, limit: number }): Promise<{ total: number, members: KnownMember[] }>

  setOpState (op: OpState): Promise<void>
  /** Newest first, at most `limit` (1,000 unless given). */
  listOpStates (filter?: { userId?: string, state?: OpState['state'], limit?: number }): Promise<OpState[]>
  /** Every user with a failed op, however many: the reconciler retries them all. */
  failedUserIds (): Promise<string[]>
  opStateCounts (): Promise<{ pending: number, failed: number }>
  /** For a page of SCIM users at once (two queries, not two per user): their known members and their unfinished ops. */
  sinchViewOf (userIds: string[]): Promise<{ members: KnownMember[], ops: OpState[] }>

  appendAudit (entry: AuditEntry): Promise<void>
  listAudit (filter: { scimUserId?: string, projectId?: string, email?: string, action?: AuditEntry['action'], since?: string, limit: number }): Promise<AuditEntry[]>
  pruneAudit (before: string): Promise<number>

  /** A lease row: true if `owner` holds it now (acquired or renewed). */
  tryLease (name: string, owner: string, ttlMs: number, now: string): Promise<boolean>
  releaseLease (name: string, owner: string): Promise<void>

  getSetting (key: string): Promise<string | null>
  setSetting (key: string, value: string): Promise<void>
}
