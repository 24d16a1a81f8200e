import { assignedRoleValues } from './assigned-roles.js'

/**
 * Which users a directory write hands to provisioning: the one rule both engines apply inside the
 * write's transaction (so the queue and the desired state commit together), and whose answer the
 * directory use cases apply at once. Writing it once keeps the request path and the queue agreeing.
 */
/** What provisioning looks at in a user (roles: those assigned directly, in `resource.roles`): a change to anything else never costs a Sinch call. */
export interface UserIdentity { userName: string, active: boolean, emails: unknown, resource: Record<string, unknown> }

export function identityChanged (before: UserIdentity, after: UserIdentity): boolean {
  const key = (u: UserIdentity): string => JSON.stringify([u.userName.toLowerCase(), u.active, u.emails, assignedRoleValues(u.resource)])
  return key(before) !== key(after)
}

/** The parts of a group that decide its members' grants (rules.ts matches displayName or externalId). */
export interface GroupShape { displayName: string, externalId: string | null, memberIds: readonly string[] }

export interface GroupChange {
  removed: string[]
  added: string[]
  /** Users to re-plan: removed + added, or every member before and after when the group's name changed. */
  affected: string[]
}

/** `before` null = the group is created; `after` null = it is deleted. */
export function groupChange (before: GroupShape | null, after: GroupShape | null): GroupChange {
  const was = [...new Set(before?.memberIds ?? [])]
  const is = [...new Set(after?.memberIds ?? [])]
  const wasSet = new Set(was)
  const isSet = new Set(is)
  const removed = was.filter((m) => !isSet.has(m))
  const added = is.filter((m) => !wasSet.has(m))
  // A rename can change which grants the group carries: all its members are re-planned.
  const renamed = before !== null && after !== null && (before.displayName !== after.displayName || before.externalId !== after.externalId)
  const affected = renamed ? [...new Set([...was, ...is])] : [...removed, ...added]
  return { removed, added, affected }
}
