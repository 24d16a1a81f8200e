import type { Role } from '../config/schema.js'
import type { MemberRole, MemberStatus } from '../domain/members.js'

/** The slice of the Sinch client provisioning uses (src/sinch implements it). */
export interface SinchMemberView {
  userId: string
  email: string
  role: MemberRole
  status: MemberStatus
  projectId: string
}

export interface SinchPort {
  listMembers (projectId: string, opts?: { signal?: AbortSignal }): AsyncIterable<SinchMemberView>
  findMemberByEmail (projectId: string, email: string): Promise<SinchMemberView | null>
  invite (projectId: string, input: { email: string, role: Role }): Promise<{ member: SinchMemberView, adopted: boolean }>
  updateMember (projectId: string, userId: string, patch: { role: Role } | { status: 'SUSPENDED' | 'ACTIVE' }): Promise<SinchMemberView>
  removeMember (projectId: string, userId: string): Promise<{ alreadyGone: boolean }>
}

export type FailureKind = 'permanent' | 'transient' | 'not_found'

/** Sinch errors carry `kind` and `code`; anything unknown is treated as transient (retry, never drop). */
export function classify (err: unknown): FailureKind {
  const e = err as { kind?: string, code?: string } | null
  if (e?.code === 'SINCH_NOT_FOUND') return 'not_found'
  if (e?.kind === 'permanent') return 'permanent'
  return 'transient'
}

export function describeError (err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
