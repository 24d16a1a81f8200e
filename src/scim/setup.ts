import SCIMMY from 'scimmy'

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const SINCH_EXT = 'urn:ietf:params:scim:schemas:extension:sinch:2.0:User'
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
export const MAX_RESULTS = 200

const { Attribute, SchemaDefinition } = SCIMMY.Types

/** Read-only view of what Sinch holds for the user; filled from provisioning state on every read. */
const SinchUserSchema = new SchemaDefinition('SinchUser', SINCH_EXT, 'Sinch project membership managed by the bridge (read-only)', [
  new Attribute('complex', 'projects', { multiValued: true, mutable: false, returned: 'default', description: 'Role and invitation status per managed project' }, [
    new Attribute('string', 'projectId', { mutable: false }),
    new Attribute('string', 'role', { mutable: false, canonicalValues: ['OWNER', 'ADMIN', 'MEMBER', 'READONLY', 'UNKNOWN'] }),
    new Attribute('string', 'status', { mutable: false, canonicalValues: ['PENDING', 'ACTIVE', 'SUSPENDED', 'UNKNOWN'] }),
    new Attribute('string', 'pendingError', { mutable: false })
  ])
])

let configured = false

/**
 * SCIMMY is configured once, at boot: resources and extensions declared here and nowhere else
 * (its Express router rewrites global config per request; we never do).
 */
export function configureScimmy (): void {
  if (configured) return
  configured = true
  SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false))
  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
  SCIMMY.Schemas.declare(SinchUserSchema)
  relaxEmptyCanonicalValues(SCIMMY.Schemas.User.definition.attributes)
}

/**
 * SCIMMY declares some `type` sub-attributes (roles, entitlements, …) with an empty canonical
 * list and then rejects every value; RFC 7643 names none for them and Entra sends its own
 * (e.g. "WindowsAzureActiveDirectoryRole"). An empty list means "no constraint" here.
 */
function relaxEmptyCanonicalValues (attributes: Array<{ config?: { canonicalValues?: unknown }, subAttributes?: unknown }>): void {
  for (const a of attributes) {
    if (a.config !== undefined && Array.isArray(a.config.canonicalValues) && a.config.canonicalValues.length === 0) a.config.canonicalValues = false
    if (Array.isArray(a.subAttributes)) relaxEmptyCanonicalValues(a.subAttributes as typeof attributes)
  }
}

export function userDefinition (): InstanceType<typeof SchemaDefinition> {
  configureScimmy()
  return SCIMMY.Schemas.User.definition
}

export function groupDefinition (): InstanceType<typeof SchemaDefinition> {
  configureScimmy()
  return SCIMMY.Schemas.Group.definition
}

export function sinchDefinition (): InstanceType<typeof SchemaDefinition> {
  return SinchUserSchema
}

export { SCIMMY }
