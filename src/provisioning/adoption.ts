import type { AdoptPolicy, Role } from '../config/schema.js'
import type { MemberRole, MemberStatus } from '../domain/members.js'
import { roleRank } from './roles.js'

/** A Sinch member the bridge did not create, found holding the user's address. */
export interface Held { projectId: string, email: string, role: MemberRole, status: MemberStatus }

/**
 * ADOPT_EXISTING: may the bridge take over a member someone added in Sinch by other means?
 * Null when it may; otherwise the reason it may not, shown as a failed change. The default
 * (`same-or-lower-role`) adopts only when the bridge would give at least the role the person
 * already holds, so adopting never lowers anyone's access (and, later, deactivation removes
 * only access the bridge would have granted anyway).
 */
export function adoptionRefusal (policy: AdoptPolicy, held: Held, want: Role): string | null {
  if (policy === 'always' && held.role !== 'UNKNOWN' && held.status !== 'UNKNOWN') return null
  const where = `${held.email} is already ${held.role} (${held.status}) in ${held.projectId}, added outside the bridge`
  if (policy === 'never') return `${where}; left alone (ADOPT_EXISTING=never)`
  // A role or status the bridge cannot read cannot be ranked: never take such a member over.
  if (held.role === 'UNKNOWN' || held.status === 'UNKNOWN') return `${where}; its role or status is not one the bridge knows (SINCH_ROLE_MAP), so it is left alone`
  if (roleRank(want) >= roleRank(held.role)) return null
  return `${where}; the bridge would make it ${want}, so it is left alone (ADOPT_EXISTING=same-or-lower-role never lowers a role; set ADOPT_EXISTING=always to take it over)`
}

/**
 * An invite answered 409: the member exists. A PENDING member with exactly the role asked is
 * most likely the bridge's own invite whose answer was lost (a reset after Sinch's write, then
 * a retry), so it is the bridge's whatever the policy; anything else is someone else's member.
 */
export function conflictRefusal (policy: AdoptPolicy, held: Held, want: Role): string | null {
  if (held.status === 'PENDING' && held.role === want) return null
  return adoptionRefusal(policy, held, want)
}

export function adoptionDetail (policy: AdoptPolicy, held: Held): string {
  return `took over an existing Sinch member that held ${held.role} (${held.status}) (ADOPT_EXISTING=${policy})`
}
