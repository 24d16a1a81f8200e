import type { Role } from '../config/schema.js'

/** UNKNOWN: a role or status name Sinch sent that the bridge cannot read (kept, never modified). */
export type MemberStatus = 'PENDING' | 'ACTIVE' | 'SUSPENDED' | 'UNKNOWN'
export type MemberRole = Role | 'UNKNOWN'

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
