import type { ProvisioningStore, SubjectReader } from '../store/types.js'
import type { MemberRole, MemberStatus } from '../domain/members.js'
import { desiredAccess, type RulesConfig } from './rules.js'

export interface SinchProjectState {
  projectId: string
  role: MemberRole | null
  status: MemberStatus | null
  pendingError: string | null
  /** The rule that grants the role the user should hold (default / group / assigned role); null when none does. */
  grantedBy?: string | null
}

/** Per project, the rule behind the role a user should hold: the auditor's first question, answered from the planner itself. */
export type GrantReasons = (userId: string) => Promise<Map<string, string>>

export function grantReasons (store: Pick<SubjectReader, 'getSubject'>, rules: RulesConfig): GrantReasons {
  return async (userId) => {
    const subject = await store.getSubject(userId)
    if (subject === null) return new Map()
    return new Map([...desiredAccess(subject, rules).projects].flatMap(([p, d]) => d.kind === 'member' ? [[p, d.rule] as const] : []))
  }
}

/**
 * Per user, what Sinch holds in each project and any change still pending with its last error:
 * the read-only Sinch extension of a SCIM User, so admins can check from the IdP's side too.
 */
export function sinchExtensionReader (store: Pick<ProvisioningStore, 'sinchViewOf'>, explain?: GrantReasons) {
  return async (userIds: string[]): Promise<Map<string, SinchProjectState[]>> => {
    const [{ members, ops }, reasons] = await Promise.all([
      store.sinchViewOf(userIds),
      explain === undefined ? null : Promise.all(userIds.map(async (id) => [id, await explain(id)] as const)).then((all) => new Map(all))
    ])
    const byUser = new Map<string, Map<string, SinchProjectState>>(userIds.map((id) => [id, new Map()]))
    for (const m of members) {
      if (m.scimUserId !== null) byUser.get(m.scimUserId)?.set(m.projectId, { projectId: m.projectId, role: m.role, status: m.status, pendingError: null })
    }
    for (const o of ops) {
      const projects = byUser.get(o.userId)
      const cur = projects?.get(o.projectId) ?? { projectId: o.projectId, role: null, status: null, pendingError: null }
      projects?.set(o.projectId, { ...cur, pendingError: o.lastError })
    }
    const why = (id: string, s: SinchProjectState): SinchProjectState => reasons === null ? s : { ...s, grantedBy: reasons.get(id)?.get(s.projectId) ?? null }
    return new Map([...byUser].map(([id, projects]) => [id, [...projects.values()].sort((a, b) => a.projectId.localeCompare(b.projectId)).map((s) => why(id, s))]))
  }
}
