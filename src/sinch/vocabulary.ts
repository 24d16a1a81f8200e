import type { Role } from '../config/schema.js'

export type SinchRole = Role | 'UNKNOWN'
export type SinchStatus = 'PENDING' | 'ACTIVE' | 'SUSPENDED' | 'UNKNOWN'

/**
 * Role and status names as the account spells them. The guide names roles OWNER, ADMIN, MEMBER,
 * READONLY; Sinch's community articles name the dashboard's roles Administrator, Member, Support
 * member, Limited member and User manager. SINCH_ROLE_MAP maps the bridge's ranked roles onto the
 * account's names; the ranking stays the bridge's. A name nobody mapped reads as UNKNOWN, which
 * the planner never changes (so a role the bridge cannot rank is never "corrected").
 */
export interface Vocabulary {
  /** The name sent to Sinch for a bridge role. */
  roleName (role: Role): string
  role (raw: string): SinchRole
  status (raw: string | null | undefined): SinchStatus
}

const BRIDGE_ROLES: readonly Role[] = ['OWNER', 'ADMIN', 'MEMBER', 'READONLY']
const STATUSES = new Set(['PENDING', 'ACTIVE', 'SUSPENDED'])
const norm = (v: string): string => v.trim().toLowerCase()

export function createVocabulary (roleMap: Partial<Record<Role, string>> = {}): Vocabulary {
  const out = new Map<Role, string>()
  const back = new Map<string, Role>()
  for (const r of BRIDGE_ROLES) {
    const name = roleMap[r] ?? r
    out.set(r, name)
    back.set(norm(name), r)
  }
  return {
    roleName: (role) => out.get(role) ?? role,
    role: (raw) => back.get(norm(raw)) ?? 'UNKNOWN',
    // A missing status is an invite not yet accepted (shared/sinch-api.md: invites answer PENDING).
    status: (raw) => raw == null || raw === '' ? 'PENDING' : STATUSES.has(raw.trim().toUpperCase()) ? raw.trim().toUpperCase() as SinchStatus : 'UNKNOWN'
  }
}

export const DEFAULT_VOCABULARY = createVocabulary()
