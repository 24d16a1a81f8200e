import type { GroupInput, GroupRecord } from '../domain/groups.js'
import type { UserInput, UserRecord } from '../domain/users.js'
import type { KnownMember } from '../domain/members.js'
import type { OpState } from '../domain/op-states.js'

/** A filter the store can answer through its indexes: OR of AND-clauses over known attributes. */
export type IndexedAttr = 'id' | 'userName' | 'externalId' | 'displayName' | 'emails.value' | 'meta.lastModified' | 'meta.created' | 'active' | 'members.value'
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le' | 'pr'
export interface Term {
  attr: IndexedAttr
  op: CompareOp
  value: string | number | boolean | null
  negate: boolean
  /** emails[type eq "work"].value: the element must also have this type. */
  emailType?: string
}
export type Where = Term[][]

export interface Query {
  where: Where | null
  sortBy: 'userName' | 'displayName' | 'externalId' | 'meta.created' | 'meta.lastModified' | 'id' | null
  descending: boolean
  offset: number
  limit: number
}

export class StoreConflictError extends Error {
  readonly code = 'STORE_CONFLICT'
  constructor (readonly attribute: 'userName' | 'displayName', options?: { cause?: unknown }) {
    super(`${attribute} is already taken`, options)
  }
}

export class StoreNotFoundError extends Error {
  readonly code = 'STORE_NOT_FOUND'
}

export class StoreVersionError extends Error {
  readonly code = 'STORE_VERSION_MISMATCH'
}

/** The user ids a write queued for provisioning in its own transaction (rule: store/affected.ts). */
export interface Queued { queued: string[] }
export interface Written<T> extends Queued { record: T }

/** One page of a scan in insertion order; `next` is the cursor of the following page, null at the end. */
export interface ScanPage<T> { records: T[], next: number | null }

/**
 * Everything a SCIM read of one user shows, read in one round trip: the record, its groups (in
 * membership order), what Sinch is known to hold for it and its unfinished ops (what sinchViewOf
 * gives a page of users).
 */
export interface UserView {
  record: UserRecord
  groups: Array<{ id: string, displayName: string, externalId: string | null }>
  members: KnownMember[]
  ops: OpState[]
}

/** A user's SCIM representation as sent, kept by the store; its version is the user's. */
export interface UserDocument { version: number, body: string }

/** A user's document rendered from its view, or null for one that cannot be kept (the view is then served). */
export type DocumentRenderer = (view: UserView) => string | null

/** A read that may come from a kept document: the document, or the view where none could be kept. */
export type UserRead = UserDocument | UserView

/**
 * What the kept documents did since start-up, counted in the store: reads `served` from one, or
 * `rendered` from the view; documents `kept`, `changed` (not kept: what they were rendered from
 * changed before the keep) and `failed` (not kept: the database refused the keep, e.g. a file
 * locked by another process, a full disk, or the store refuses writes after a failed sync). A keep
 * that keeps failing leaves every read rendered.
 */
export interface DocumentStats { served: number, rendered: number, kept: number, changed: number, failed: number }

/**
 * Desired state from the IdP. Every write that can change someone's Sinch access queues those
 * users for provisioning in the same transaction, so an acknowledged write never loses its work.
 * The `…AndQueue` writes also say which users they queued (what the request path applies at once);
 * the plain ones return the record alone.
 */
export interface DirectoryStore {
  createUserAndQueue (u: UserInput): Promise<Written<UserRecord>>
  updateUserAndQueue (id: string, u: UserInput, expectedVersion: number | null): Promise<Written<UserRecord>>
  deleteUserAndQueue (id: string, expectedVersion: number | null): Promise<Queued>
  createGroupAndQueue (g: GroupInput): Promise<Written<GroupRecord>>
  updateGroupAndQueue (id: string, g: GroupInput, expectedVersion: number | null): Promise<Written<GroupRecord>>
  deleteGroupAndQueue (id: string, expectedVersion: number | null): Promise<Queued>

  createUser (u: UserInput): Promise<UserRecord>
  /** `expectedVersion` null = unconditional; a tombstone or unknown id is not found. */
  updateUser (id: string, u: UserInput, expectedVersion: number | null): Promise<UserRecord>
  deleteUser (id: string, expectedVersion: number | null): Promise<void>
  getUser (id: string): Promise<UserRecord | null>
  queryUsers (q: Query): Promise<{ total: number, records: UserRecord[] }>
  /** queryUsers with each user's view (userViews), in the same statement. */
  queryUserViews (q: Query): Promise<{ total: number, records: UserView[] }>
  /** Every live user. */
  allUsers (): Promise<UserRecord[]>
  /** Live users in insertion order after cursor `after` (0 = from the start), at most `limit`: filters the indexes cannot answer page through these. */
  scanUsers (after: number, limit: number): Promise<ScanPage<UserRecord>>
  groupsOfUsers (userIds: string[]): Promise<Map<string, Array<{ id: string, displayName: string }>>>
  /** Live users among these ids with their groups and Sinch view, one statement for them all; in the order asked, unknown ids left out. */
  userViews (ids: string[]): Promise<UserView[]>
  /**
   * The live user's document kept under `key` (which names the renderer), else `render`ed from
   * its view and kept until anything it was rendered from changes; null for no such user.
   * Optional: a store without it serves views (PostgreSQL).
   */
  userDocument?: (id: string, key: string, render: DocumentRenderer) => Promise<UserRead | null>
  /** queryUserViews as userDocument reads them. */
  queryUserDocuments?: (q: Query, key: string, render: DocumentRenderer) => Promise<{ total: number, records: UserRead[] }>
  /** Present where the store keeps documents. */
  documentStats?: () => DocumentStats
  existingUserIds (ids: string[]): Promise<Set<string>>
  /** RFC 7643 §4.2 members.display of these groups' members: user id → displayName, else userName. */
  memberNames (groupIds: string[]): Promise<Map<string, string>>

  createGroup (g: GroupInput): Promise<GroupRecord>
  updateGroup (id: string, g: GroupInput, expectedVersion: number | null): Promise<GroupRecord>
  deleteGroup (id: string, expectedVersion: number | null): Promise<void>
  getGroup (id: string): Promise<GroupRecord | null>
  queryGroups (q: Query): Promise<{ total: number, records: GroupRecord[] }>
  allGroups (): Promise<GroupRecord[]>
  /** Every group's name, external id and member count, by name, without the members themselves (the console). */
  groupHeads (): Promise<Array<{ id: string, displayName: string, externalId: string | null, members: number }>>
  counts (): Promise<{ users: number, groups: number }>
}
