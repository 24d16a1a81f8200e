import { v5 as uuidv5 } from 'uuid'
import type { CatalogueRole } from '../domain/role-catalogue.js'

/**
 * A fixed namespace for app-role ids: UUID v5 (RFC 9562 §5.5) of this name under the URL namespace.
 * The id of each app role is then v5(value, namespace): the same value always gets the same id, so
 * re-running the command and pasting again changes nothing in Entra (an id Entra already knows must
 * not move to another role, and one in use cannot be deleted while enabled).
 */
export const APP_ROLE_NAMESPACE = uuidv5('https://github.com/sinch-scim-bridge/app-roles', uuidv5.URL)

/** One entry of the Entra application manifest's `appRoles` (Microsoft Graph appRole resource type). */
export interface EntraAppRole {
  allowedMemberTypes: ['User']
  description: string
  displayName: string
  id: string
  isEnabled: true
  value: string
}

export function entraAppRoles (roles: CatalogueRole[]): EntraAppRole[] {
  return roles.map((r) => ({
    // Users: the bridge provisions users, and a user's app-role assignments are what Entra sends in `roles`.
    allowedMemberTypes: ['User'],
    description: r.description,
    displayName: r.display,
    id: uuidv5(r.value, APP_ROLE_NAMESPACE),
    isEnabled: true,
    value: r.value
  }))
}

/**
 * What to type into Okta's Integration Wizard under "SCIM Entitlement Management" (Okta help,
 * "Okta Integration Wizard: Entitlement management settings"): one resource-type mapping.
 */
export function oktaResourceTypeSettings (roles: CatalogueRole[]): Record<string, unknown> {
  return {
    resourceType: 'Role',
    endpoint: '/Roles',
    // A user may hold roles in several projects at once; none is needed to be assigned the app.
    properties: { required: false, multiValued: true },
    description: 'Sinch project roles (one per managed project and role)',
    schemaMapping: { id: 'id', displayName: 'displayName', description: 'description' },
    roles: roles.length
  }
}
