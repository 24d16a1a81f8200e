import SCIMMY from 'scimmy'

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
/**
 * The bridge's own, read-only extension (sinch-schema.ts). Not under urn:ietf:params:scim, which
 * RFC 7643 §10.2 reserves for schemas the IETF registers; `urn:sinch:` follows vendor practice
 * (Okta's custom schemas live under `urn:okta:`). Named here only.
 */
export const SINCH_EXT = 'urn:sinch:scim:schemas:extension:bridge:2.0:User'
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const MAX_RESULTS = 200

type SchemaDefinition = InstanceType<typeof SCIMMY.Types.SchemaDefinition>

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

export function userDefinition (): SchemaDefinition {
  configureScimmy()
  return SCIMMY.Schemas.User.definition
}

export function groupDefinition (): SchemaDefinition {
  configureScimmy()
  return SCIMMY.Schemas.Group.definition
}

export { SCIMMY }
