import type { CatalogueRole, RoleCatalogue } from '../domain/role-catalogue.js'
import { roleEntryValue } from '../store/assigned-roles.js'
import { badRequest } from './errors.js'
import { parseFilter } from './filter.js'
import { createMatcher } from './filter-match.js'
import type { ListParams } from './list.js'

type Json = Record<string, unknown>

/**
 * The Role resource Okta discovers (Okta, "Build a SCIM 2.0 server with entitlements": Okta defines
 * the schemas of two resource types, roles and entitlements, so /Schemas is only needed for
 * extensions; the admin's schema mapping names the ID, display-name and description attributes).
 * The bridge publishes the schema anyway (RFC 7643 §7), so a client that validates answers against
 * /Schemas finds every attribute it is sent.
 */
export const ROLE_SCHEMA = 'urn:okta:scim:schemas:core:1.0:Role'

const attr = (name: string, description: string, caseExact: boolean): Json => ({
  name, type: 'string', multiValued: false, description, required: name !== 'description', caseExact, mutability: 'readOnly', returned: 'default', uniqueness: name === 'value' ? 'server' : 'none'
})

export const ROLE_SCHEMA_DOCUMENT: Json = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
  id: ROLE_SCHEMA,
  name: 'Role',
  description: 'A Sinch role in one managed project that an IdP may assign to a user through roles',
  attributes: [
    attr('value', 'What a user\'s roles[].value carries: <projectId>:<ROLE>', true),
    attr('displayName', 'The role as people read it', false),
    attr('description', 'What the role grants', false)
  ]
}

export function roleResourceType (baseUrl: string): Json {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'Role',
    name: 'Role',
    description: 'Sinch project roles an IdP may assign directly (read-only)',
    endpoint: '/Roles',
    schema: ROLE_SCHEMA,
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Role` }
  }
}

/** `id` is the value: stable across restarts and replicas, and it names the grant in every log. */
export function roleJson (r: CatalogueRole, baseUrl: string): Json {
  return {
    schemas: [ROLE_SCHEMA],
    id: r.value,
    value: r.value,
    displayName: r.display,
    description: r.description,
    meta: { resourceType: 'Role', location: `${baseUrl}/Roles/${encodeURIComponent(r.value)}` }
  }
}

const FILTERABLE = new Map([['value', true], ['displayname', false], ['id', true], ['description', false]])
const definition = {
  attribute (path: string): unknown {
    const caseExact = FILTERABLE.get(path.toLowerCase().replace(`${ROLE_SCHEMA.toLowerCase()}:`, ''))
    if (caseExact === undefined) throw new TypeError(`no attribute ${path}`)
    return { type: 'string', config: { caseExact } }
  }
}

/** The catalogue page a `GET /Roles` asks for: RFC 7644 §3.4.2 filter (on value, displayName, id, description) and paging. */
export function listRoles (catalogue: RoleCatalogue, params: ListParams, baseUrl: string): { total: number, resources: Json[] } {
  let all = catalogue.roles.map((r) => roleJson(r, baseUrl))
  if (params.filter !== null) {
    const filter = parseFilter(params.filter)
    for (const branch of filter as unknown as Json[]) {
      for (const key of Object.keys(branch)) {
        if (!FILTERABLE.has(key.toLowerCase())) throw badRequest('invalidFilter', `Roles can be filtered on value, displayName, id and description, not ${key}`)
      }
    }
    const match = createMatcher(filter, definition)
    all = all.filter((r) => match(r))
  }
  return { total: all.length, resources: params.count === 0 ? [] : all.slice(params.startIndex - 1, params.startIndex - 1 + params.count) }
}

/**
 * A value in a user's `roles` that names no catalogue entry is refused (400 invalidValue naming
 * it, nothing stored) when this write brings it in for an active user: the IdP only offers what
 * /Roles and the Entra manifest list, so anything else is a mapping mistake (a stale app role, a
 * typo, a project no longer managed) the admin should see at once, not a role that looks granted
 * and never is. A value already stored never blocks a write (a configuration change must not lock
 * users out of every later update), and neither does offboarding: a write that leaves the user
 * inactive always goes through, so nobody keeps access because of a role value. Kept values grant
 * nothing (rules.ts resolves only catalogue entries). Without a catalogue roles are kept as sent.
 */
export function checkAssignedRoles (resource: Json, catalogue: RoleCatalogue | undefined, previous: Json | null = null, active = true): void {
  if (catalogue === undefined || !active || !Array.isArray(resource.roles)) return
  const had = new Set((Array.isArray(previous?.roles) ? previous.roles : []).map(roleEntryValue).filter((v): v is string => v !== null).map((v) => v.toLowerCase()))
  const unknown = resource.roles.map(roleEntryValue)
    .filter((v): v is string => v !== null && !had.has(v.toLowerCase()) && catalogue.resolve(v) === null)
    .map((v) => v.slice(0, 100))
  if (unknown.length === 0) return
  throw badRequest('invalidValue', `roles: ${unknown.map((v) => JSON.stringify(v)).join(', ')} ${unknown.length === 1 ? 'is not a Sinch role' : 'are not Sinch roles'} this bridge offers (GET /Roles lists them)`)
}
