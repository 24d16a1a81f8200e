import type { Role } from '../config/schema.js'

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

export interface RoleCatalogue {
  roles: CatalogueRole[]
  /** A catalogue entry by value (case-insensitive) or display; null when the IdP sent something else. */
  resolve: (text: string) => CatalogueRole | null
}
