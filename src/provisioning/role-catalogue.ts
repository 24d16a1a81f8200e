import { ROLES, type Role } from '../config/schema.js'
import type { CatalogueRole, RoleCatalogue } from '../domain/role-catalogue.js'

/** The catalogue (src/domain/role-catalogue.ts) is derived from configuration alone. */
export interface CatalogueConfig {
  managedProjects: string[]
  allowOwner: boolean
  /** The mapping file's `roles` list: when given, only these pairs are offered. */
  offered?: Array<{ project: string, role: Role }> | null
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
