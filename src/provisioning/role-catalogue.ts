import { ROLES, type Role } from '../config/schema.js'

/**
 * The Sinch roles an IdP may assign directly: Okta's entitlements (`GET /Roles`, Okta's guide
 * "Build a SCIM 2.0 server with entitlements"), Entra's app roles (the manifest printed by
 * `sinch-scim-bridge roles`) and the values accepted in a user's RFC 7643 §4.1.2 `roles`. One
 * list, derived from configuration alone, so every surface agrees and a restart changes nothing.
 */
export interface CatalogueRole {
  /** `<projectId>:<ROLE>`: stable, readable in an audit, and a valid Entra app-role value (no spaces). */
  value: string
  project: string
  role: Role
  display: string
  description: string
}

export interface CatalogueConfig {
  managedProjects: string[]
  allowOwner: boolean
  /** The mapping file's `roles` list: when given, only these pairs are offered. */
  offered?: Array<{ project: string, role: Role }> | null
}

export interface RoleCatalogue {
  roles: CatalogueRole[]
  /** A catalogue entry by value (case-insensitive) or display; null when the IdP sent something else. */
  resolve: (text: string) => CatalogueRole | null
}

const TITLE: Record<Role, string> = { READONLY: 'Read-only', MEMBER: 'Member', ADMIN: 'Admin', OWNER: 'Owner' }

export function roleValue (project: string, role: Role): string {
  return `${project}:${role}`
}

export function createRoleCatalogue (cfg: CatalogueConfig): RoleCatalogue {
  const roles: CatalogueRole[] = []
  // Managed-project order, then READONLY < MEMBER < ADMIN < OWNER: the order /Roles pages in.
  for (const project of cfg.managedProjects) {
    for (const role of ROLES) {
      // OWNER is never granted by the bridge without ALLOW_OWNER (DESIGN.md), so it is not offered.
      if (role === 'OWNER' && !cfg.allowOwner) continue
      if (cfg.offered != null && !cfg.offered.some((o) => o.project === project && o.role === role)) continue
      roles.push({
        value: roleValue(project, role),
        project,
        role,
        display: `${project} — ${TITLE[role]}`,
        description: `Sinch role ${role} in project ${project}`
      })
    }
  }
  const byKey = new Map<string, CatalogueRole>()
  for (const r of roles) byKey.set(r.value.toLowerCase(), r)
  // Entra's SingleAppRoleAssignment is documented to send the app role's value, but tenants report
  // its display name too; both name one catalogue entry, so both are understood.
  for (const r of roles) if (!byKey.has(r.display.toLowerCase())) byKey.set(r.display.toLowerCase(), r)
  return { roles, resolve: (text) => byKey.get(text.trim().toLowerCase()) ?? null }
}
