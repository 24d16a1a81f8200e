import SCIMMY from 'scimmy'
import { LIST, MAX_RESULTS, configureScimmy, sinchDefinition } from './setup.js'

/** RFC 7643 §5: what the bridge supports, honestly (Bulk and /Me are not). */
export function serviceProviderConfig (baseUrl: string): Record<string, unknown> {
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

export function resourceTypes (baseUrl: string): Array<Record<string, unknown>> {
  configureScimmy()
  return [SCIMMY.Resources.User, SCIMMY.Resources.Group].map((R) => {
    const d = R.describe() as Record<string, unknown>
    const ext = R === SCIMMY.Resources.User ? [...(d.schemaExtensions as unknown[] ?? []), { schema: sinchDefinition().id, required: false }] : d.schemaExtensions
    return {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      ...d,
      ...(ext === undefined ? {} : { schemaExtensions: ext }),
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${String(d.id)}` }
    }
  })
}

interface Advertised { name: string, subAttributes?: Advertised[] }

/**
 * Accepted but not advertised: Entra's schema discovery stops at `password` (write-only, never
 * stored here) and at the `display` sub-attribute of multi-valued attributes ("not supported by
 * the SCIM protocol"). Okta sends both and they are still read as before.
 */
const UNADVERTISED = new Set(['password'])
function withoutDisplay (a: Advertised): Advertised {
  if (a.subAttributes === undefined || !a.subAttributes.some((s) => s.name === 'value')) return a
  return { ...a, subAttributes: a.subAttributes.filter((s) => s.name !== 'display') }
}

export function schemas (baseUrl: string): Array<Record<string, unknown>> {
  configureScimmy()
  const defs = [SCIMMY.Schemas.User.definition, SCIMMY.Schemas.Group.definition, SCIMMY.Schemas.EnterpriseUser.definition, sinchDefinition()]
  return defs.map((d) => {
    const described = d.describe() as Record<string, unknown>
    // The User definition carries its extension as an attribute once extended; list it apart.
    const attributes = (described.attributes as Advertised[]).filter((a) => !a.name.startsWith('urn:') && !UNADVERTISED.has(a.name)).map(withoutDisplay)
    return { ...described, attributes, meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${String(described.id)}` } }
  })
}

export function discoveryList (items: Array<Record<string, unknown>>): Record<string, unknown> {
  return { schemas: [LIST], totalResults: items.length, startIndex: 1, itemsPerPage: items.length, Resources: items }
}
