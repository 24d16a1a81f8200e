import type { ProvisioningStore } from '../store/types.js'
import type { MemberRole, MemberStatus } from '../domain/members.js'

export interface SinchProjectState {
  projectId: string
  role: MemberRole | null
  status: MemberStatus | null
  pendingError: string | null
}

/**
 * Per user, what Sinch holds in each project and any change still pending with its last error:
 * the read-only Sinch extension of a SCIM User, so admins can check from the IdP's side too.
 */
export function sinchExtensionReader (store: Pick<ProvisioningStore, 'sinchViewOf'>) {
  return async (userIds: string[]): Promise<Map<string, SinchProjectState[]>> => {
    const { members, ops } = await store.sinchViewOf(userIds)
    const byUser = new Map<string, Map<string, SinchProjectState>>(userIds.map((id) => [id, new Map()]))
    for (const m of members) {
      if (m.scimUserId !== null) byUser.get(m.scimUserId)?.set(m.projectId, { projectId: m.projectId, role: m.role, status: m.status, pendingError: null })
    }
    for (const o of ops) {
      const projects = byUser.get(o.userId)
      const cur = projects?.get(o.projectId) ?? { projectId: o.projectId, role: null, status: null, pendingError: null }
      projects?.set(o.projectId, { ...cur, pendingError: o.lastError })
    }
    return new Map([...byUser].map(([id, projects]) => [id, [...projects.values()].sort((a, b) => a.projectId.localeCompare(b.projectId))]))
  }
}
