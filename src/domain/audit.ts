import type { Role } from '../config/schema.js'
import type { MemberRole } from './members.js'

/**
 * One line of the audit log: a change sent to Sinch, or an action an admin took.
 */

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
