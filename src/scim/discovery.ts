import SCIMMY from 'scimmy'
import { LIST, MAX_RESULTS, SINCH_EXT, configureScimmy } from './setup.js'
import { SINCH_SCHEMA } from './sinch-schema.js'
import { ROLE_SCHEMA_DOCUMENT, roleResourceType } from './role-resource.js'

type Json = Record<string, unknown>

/** RFC 7643 §5: what the bridge supports, honestly (Bulk and /Me are not). */
export function serviceProviderConfig (baseUrl: string): Json {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Bearer token', description: 'Authorization: Bearer <SCIM_BEARER_TOKEN>', primary: true }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` }
  }
}

/** RFC 7643 §6, and nothing else: SCIMMY's descriptions may carry more. */
const RESOURCE_TYPE_KEYS = ['id', 'name', 'description', 'endpoint', 'schema', 'schemaExtensions'] as const

export function resourceTypes (baseUrl: string, withRoles = false): Json[] {
  configureScimmy()
  const core = [SCIMMY.Resources.User, SCIMMY.Resources.Group].map((R) => {
    const d = JSON.parse(JSON.stringify(R.describe())) as Json
    const out: Json = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'] }
    for (const k of RESOURCE_TYPE_KEYS) if (d[k] !== undefined) out[k] = d[k]
    if (R === SCIMMY.Resources.User) out.schemaExtensions = [...(d.schemaExtensions as Json[] | undefined ?? []), { schema: SINCH_EXT, required: false }]
    out.meta = { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${String(d.id)}` }
    return out
  })
  // Okta's entitlement discovery starts here: a Role resource type and its endpoint (role-resource.ts).
  return withRoles ? [...core, roleResourceType(baseUrl)] : core
}

/** RFC 7643 §7: the attribute characteristics a schema may publish. */
const CHARACTERISTICS = ['name', 'type', 'subAttributes', 'multiValued', 'description', 'required', 'canonicalValues', 'caseExact', 'mutability', 'returned', 'uniqueness', 'referenceTypes'] as const

/**
 * SCIMMY attributes must go through their toJSON(): copied by spread they carry SCIMMY's private
 * `config` and lose multiValued, mutability, returned and uniqueness, and a strict client
 * (pydantic models with extra="forbid", Microsoft's schema-discoverability test) refuses them.
 */
function rfcAttribute (a: Json): Json {
  const out: Json = {}
  for (const k of CHARACTERISTICS) {
    if (a[k] === undefined) continue
    out[k] = k === 'subAttributes' ? (a[k] as Json[]).map(rfcAttribute) : a[k]
  }
  return out
}

/**
 * `password` is accepted (Okta sends one on create) but never stored or returned, so it is not
 * published. `display` is: RFC 7643 §4.1.2/§4.2 define `groups.display` and `members.display`,
 * the bridge returns both, and a client that validates answers against /Schemas (scim2-tester)
 * refuses a value its schema does not list. No Microsoft document says Entra's schema discovery
 * stops at `display`; Microsoft's own reference server (SCIMReferenceCode, SampleGroupAttributes)
 * merely leaves it out, and SAP's Identity Authentication, an Entra provisioning target, lists it.
 */
const UNPUBLISHED = new Set(['password'])

/** RFC 7643 §3.1: externalId belongs to every resource; Microsoft's validation template looks it up in /Schemas. */
const EXTERNAL_ID: Json = { name: 'externalId', type: 'string', multiValued: false, description: 'An identifier for the resource as defined by the provisioning client.', required: false, caseExact: true, mutability: 'readWrite', returned: 'default', uniqueness: 'none' }

/**
 * A member's display and type are the bridge's to say (the user's displayName or userName, and
 * "User"); whatever a client sends for them is ignored, so they are published as readOnly rather
 * than SCIMMY's immutable (RFC 7643 §7: a client's value would never show). `value` and `$ref`
 * name the member and stay immutable.
 */
const COMPUTED_MEMBER_PARTS = new Set(['display', 'type'])
function computedMemberParts (a: Json): Json {
  if (a.name !== 'members' || !Array.isArray(a.subAttributes)) return a
  return { ...a, subAttributes: (a.subAttributes as Json[]).map((s) => COMPUTED_MEMBER_PARTS.has(String(s.name)) ? { ...s, mutability: 'readOnly' } : s) }
}

export function schemas (baseUrl: string, withRoles = false): Json[] {
  configureScimmy()
  const core = [SCIMMY.Schemas.User.definition, SCIMMY.Schemas.Group.definition, SCIMMY.Schemas.EnterpriseUser.definition].map((d) => {
    const described = JSON.parse(JSON.stringify(d.describe())) as Json & { id: string, attributes: Json[] }
    // The User definition carries its extension as an attribute once extended; it is listed apart.
    const attributes = described.attributes.filter((a) => !String(a.name).startsWith('urn:') && !UNPUBLISHED.has(String(a.name))).map(rfcAttribute).map(computedMemberParts)
    if (d !== SCIMMY.Schemas.EnterpriseUser.definition) attributes.push(EXTERNAL_ID)
    return { schemas: described.schemas, id: described.id, name: described.name, description: described.description, attributes }
  })
  const own = [structuredClone(SINCH_SCHEMA) as unknown as Json, ...(withRoles ? [structuredClone(ROLE_SCHEMA_DOCUMENT)] : [])]
  return [...core, ...own].map((s) => ({ ...s, meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${String(s.id)}` } }))
}

export function discoveryList (items: Json[]): Json {
  return { schemas: [LIST], totalResults: items.length, startIndex: 1, itemsPerPage: items.length, Resources: items }
}
