import type { Role } from '../config/schema.js'

/**
 * The store is the only code that speaks SQL. It has two halves owned by two layers:
 * the directory half (desired state from the IdP) and the provisioning half (what the bridge knows
 * of Sinch, the durable work queue, audit and leases). Every method is async so SQLite and
 * PostgreSQL share one interface and one contract suite.
 */

/** UNKNOWN: a role or status name Sinch sent that the bridge cannot read (kept, never modified). */
export type MemberStatus = 'PENDING' | 'ACTIVE' | 'SUSPENDED' | 'UNKNOWN'
export type MemberRole = Role | 'UNKNOWN'

export interface EmailValue { value: string, type?: string | undefined, primary?: boolean | undefined }

/** A SCIM user as the directory keeps it. `resource` is the full SCIM JSON minus `meta` and `id`. */
export interface UserRecord {
  id: string
  userName: string
  externalId: string | null
  displayName: string | null
  active: boolean
  emails: EmailValue[]
  resource: Record<string, unknown>
  version: number
  created: string
  lastModified: string
}

export interface GroupRecord {
  id: string
  displayName: string
  externalId: string | null
  memberIds: string[]
  resource: Record<string, unknown>
  version: number
  created: string
  lastModified: string
}

/** What provisioning needs of a user: who they are and which groups they are in. */
export interface ProvisioningSubject {
  userId: string
  userName: string
  active: boolean
  /** True once the user is deleted through SCIM: the tombstone keeps access removal durable. */
  deleted: boolean
  emails: EmailValue[]
  groups: Array<{ id: string, displayName: string, externalId: string | null }>
  /** Values of the user's `roles` (assigned directly in the IdP), as assignedRoleValues reads them. */
  roles?: string[] | undefined
}

/** A Sinch member the bridge knows about, per project, keyed by lower-cased email. */
export interface KnownMember {
  projectId: string
  email: string
  sinchUserId: string | null
  role: MemberRole
  status: MemberStatus
  /** The SCIM user the bridge created or adopted it for; null = not ours (report drift only). */
  scimUserId: string | null
  /** How the bridge came to manage it: 'invited' | 'adopted' | null when unmanaged. */
  origin: 'invited' | 'adopted' | null
  seenAt: string
}

/** One row per (user, project): the last outcome, so admins and the SCIM extension can see it. */
export interface OpState {
  userId: string
  projectId: string
  state: 'pending' | 'done' | 'failed'
  lastError: string | null
  attempts: number
  updatedAt: string
}

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

export interface AuditEntry {
  id?: number
  at: string
  scimUserId: string | null
  email: string
  projectId: string
  /** 'retry' and 'reconcile': actions an admin took in the console (`rule` names who). */
  action: 'invite' | 'role' | 'suspend' | 'unsuspend' | 'remove' | 'adopt' | 'retry' | 'reconcile'
  fromRole: MemberRole | null
  toRole: Role | null
  rule: string
  outcome: 'ok' | 'failed' | 'transient'
  detail: string | null
  durationMs: number
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
