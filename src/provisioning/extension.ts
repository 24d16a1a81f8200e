import type { MemberRole, MemberStatus } from '../domain/members.js'
import type { UserView } from '../store/directory-store.js'
import { assignedRoleValues } from '../store/assigned-roles.js'
import { desiredAccess, type RulesConfig } from './rules.js'

export interface SinchProjectState {
  projectId: string
  role: MemberRole | null
  status: MemberStatus | null
  pendingError: string | null
  /** The rule that grants the role the user should hold (default / group / assigned role); null when none does. */
  grantedBy?: string | null
}

/**
 * Per project, the rule behind the role a live user should hold: the auditor's first question,
 * answered from the planner itself, over the user and groups the read already holds (no second
 * read of the user per user listed).
 */
export function grantReasonsOf (view: UserView, rules: RulesConfig): Map<string, string> {
  const { record: u, groups } = view
  const subject = { userId: u.id, userName: u.userName, active: u.active, deleted: false, emails: u.emails, groups, roles: assignedRoleValues(u.resource) }
  return new Map([...desiredAccess(subject, rules).projects].flatMap(([p, d]) => d.kind === 'member' ? [[p, d.rule] as const] : []))
}

/**
 * What Sinch holds for a user in each project and any change still pending with its last error:
 * the read-only Sinch extension of a SCIM User, so admins can check from the IdP's side too.
 * With `rules`, each project also says which rule grants it (grantedBy).
 */
export function sinchExtensionOf (rules?: RulesConfig) {
  return (view: UserView): SinchProjectState[] => {
    const projects = new Map<string, SinchProjectState>()
    for (const m of view.members) projects.set(m.projectId, { projectId: m.projectId, role: m.role, status: m.status, pendingError: null })
    for (const o of view.ops) {
      const cur = projects.get(o.projectId) ?? { projectId: o.projectId, role: null, status: null, pendingError: null }
      projects.set(o.projectId, { ...cur, pendingError: o.lastError })
    }
    const sorted = [...projects.values()].sort((a, b) => a.projectId.localeCompare(b.projectId))
    if (rules === undefined || sorted.length === 0) return sorted
    const reasons = grantReasonsOf(view, rules)
    return sorted.map((s) => ({ ...s, grantedBy: reasons.get(s.projectId) ?? null }))
  }
}
