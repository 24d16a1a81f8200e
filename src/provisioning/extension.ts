import type { MemberStatus, ProvisioningStore } from '../store/types.js'
import type { Role } from '../config/schema.js'

export interface SinchProjectState {
  projectId: string
  role: Role | null
  status: MemberStatus | null
  pendingError: string | null
}

/**
 * Per user, what Sinch holds in each project and any change still pending with its last error:
 * the read-only Sinch extension of a SCIM User, so admins can check from the IdP's side too.
 */
export function sinchExtensionReader (store: Pick<ProvisioningStore, 'listKnownMembers' | 'listOpStates'>) {
  return async (userIds: string[]): Promise<Map<string, SinchProjectState[]>> => {
    const out = new Map<string, SinchProjectState[]>()
    for (const userId of userIds) {
      const [members, ops] = await Promise.all([store.listKnownMembers({ scimUserId: userId }), store.listOpStates({ userId })])
      const byProject = new Map<string, SinchProjectState>()
      for (const m of members) byProject.set(m.projectId, { projectId: m.projectId, role: m.role, status: m.status, pendingError: null })
      for (const o of ops) {
        if (o.state === 'done') continue
        const cur = byProject.get(o.projectId) ?? { projectId: o.projectId, role: null, status: null, pendingError: null }
        byProject.set(o.projectId, { ...cur, pendingError: o.lastError })
      }
      out.set(userId, [...byProject.values()].sort((a, b) => a.projectId.localeCompare(b.projectId)))
    }
    return out
  }
}
