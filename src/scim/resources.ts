import type { GroupRecord } from '../domain/groups.js'
import type { EmailValue, UserRecord } from '../domain/users.js'
import type { GroupInput } from '../domain/groups.js'
import type { UserInput } from '../domain/users.js'
import { roleEntryValue } from '../store/assigned-roles.js'
import { badRequest, fromScimmy } from './errors.js'
import { checkIdentityValues } from './identity-values.js'
import { normaliseOperations, primaries } from './patch-normalise.js'
import { plainCoerce } from './plain-coerce.js'
import { CORE_GROUP, CORE_USER, ENTERPRISE, SINCH_EXT, groupDefinition, userDefinition } from './setup.js'

export interface SinchProjectView { projectId: string, role: string | null, status: string | null, pendingError: string | null, grantedBy?: string | null | undefined }

type Json = Record<string, unknown>

/** Per multi-valued attribute of a user (emails, phoneNumbers …): people have a few, and every PATCH op walks them all. */
export const MAX_VALUES = 100

function object (body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('invalidSyntax', 'The request body must be a JSON object')
  return body as Json
}

/** Quirks in whole-resource bodies: string booleans, bare-string managers, stringified roles. */
function normaliseBody (body: Json): Json {
  const out: Json = {}
  for (const [k, v] of Object.entries(body)) {
    if (v === null) continue
    // Entra sends explicit nulls, also inside multi-valued attributes: a null element is no element.
    out[k] = Array.isArray(v) ? primaries(v.filter((x) => x !== null)) : v
  }
  if (typeof out.active === 'string' && /^(true|false)$/i.test(out.active)) out.active = out.active.toLowerCase() === 'true'
  if (typeof out.roles === 'string') {
    try { out.roles = JSON.parse(out.roles) } catch { /* left for validation to reject */ }
  }
  const ent = out[ENTERPRISE]
  if (typeof ent === 'object' && ent !== null) {
    const e = { ...(ent as Json) }
    if (Array.isArray(e.manager)) e.manager = e.manager[0]
    if (typeof e.manager === 'string') e.manager = { value: e.manager }
    out[ENTERPRISE] = e
  }
  // The read-only Sinch view: Okta and Entra echo what they read, so a PUT may carry it back.
  for (const k of Object.keys(out)) if (k.toLowerCase() === SINCH_EXT.toLowerCase()) delete out[k]
  if (Array.isArray(out.schemas)) out.schemas = out.schemas.filter((s) => typeof s !== 'string' || s.toLowerCase() !== SINCH_EXT.toLowerCase())
  // Read-only and ignored: never worth handing to the schema (a long string there is slow to refuse).
  delete out.meta
  return out
}

interface Definition { attribute: (path: string) => unknown }
interface AttributeInfo { type?: string, config?: { multiValued?: boolean } }

function attributeOf (def: Definition, key: string): AttributeInfo | null {
  try {
    return def.attribute(key) as AttributeInfo
  } catch {
    return null
  }
}

/**
 * A scalar where the schema wants an object (`"name": "x"`, an extension as a string) is refused
 * before SCIMMY sees it: SCIMMY spends time on every character of such a string (seconds at 1 MB)
 * or drops the value without a word.
 */
function guardShapes (body: Json, def: Definition): void {
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'object') continue
    if (key.toLowerCase().startsWith('urn:')) {
      if (/^urn:ietf:params:scim:schemas:extension:/i.test(key)) throw badRequest('invalidValue', `${key} must be an object`)
      continue
    }
    const attr = attributeOf(def, key)
    if (attr?.type === 'complex') throw badRequest('invalidValue', `${key} must be ${attr.config?.multiValued === true ? 'an array of objects' : 'an object'}`)
  }
}

function coerceUser (body: Json): Json {
  const plain = plainCoerce(userDefinition(), body)
  if (plain !== null) return plain
  guardShapes(body, userDefinition())
  try {
    return JSON.parse(JSON.stringify(userDefinition().coerce({ ...body, schemas: body.schemas ?? [CORE_USER] }, 'in'))) as Json
  } catch (err) {
    throw fromScimmy(err)
  }
}

/**
 * The identity values were checked when they were stored: a write that leaves userName and every
 * email address as they are (most PATCHes: a name, a title, active) does not pay for isEmail
 * again, and a value stored before a check was tightened does not block an unrelated change.
 */
function sameIdentityValues (current: UserRecord | null, userName: string, emails: EmailValue[]): boolean {
  if (current === null || current.userName !== userName || current.emails.length !== emails.length) return false
  return emails.every((e, i) => current.emails[i]?.value === e.value)
}

/** A SCIM User body (POST, PUT, or the result of a PATCH) → what the directory stores. */
export function userInput (rawBody: unknown, current: UserRecord | null, validated = false): UserInput {
  const body = normaliseBody(object(rawBody))
  // `validated`: a stored resource changed only in scalars already type-checked against the schema.
  const resource = validated ? body : coerceUser(body)
  delete resource.meta
  delete resource.id
  delete resource.groups
  // Accepted (Okta sends one on create) and dropped here: never stored, logged or returned.
  for (const k of Object.keys(resource)) if (k.toLowerCase() === 'password') delete resource[k]
  // A role entry without a value grants nothing and means nothing: what is left of the primary role
  // once Entra's SingleAppRoleAssignment removes `roles[primary eq "True"].value`.
  if (Array.isArray(resource.roles)) resource.roles = resource.roles.filter((r) => roleEntryValue(r) !== null)
  for (const [k, v] of Object.entries(resource)) {
    if (Array.isArray(v) && v.length > MAX_VALUES) throw badRequest('invalidValue', `${k} may hold at most ${MAX_VALUES} values; this one has ${v.length}`)
  }
  const userName = resource.userName
  if (typeof userName !== 'string' || userName.trim() === '') throw badRequest('invalidValue', 'userName is required')
  // A PUT that does not mention active must not flip it (Okta custom apps, IDP.md).
  const active = typeof resource.active === 'boolean' ? resource.active : current?.active ?? true
  resource.active = active
  const emails = Array.isArray(resource.emails) ? (resource.emails as EmailValue[]).filter((e) => typeof e?.value === 'string') : []
  if (!sameIdentityValues(current, userName, emails)) checkIdentityValues(userName, emails)
  return {
    userName,
    externalId: typeof resource.externalId === 'string' ? resource.externalId : null,
    displayName: typeof resource.displayName === 'string' ? resource.displayName : null,
    active,
    emails,
    resource
  }
}

export interface ResourceContext { baseUrl: string }

export function etag (version: number): string {
  return `W/"${version}"`
}

export function userJson (u: UserRecord, ctx: ResourceContext, groups: Array<{ id: string, displayName: string }>, sinch: SinchProjectView[] | undefined): Json {
  const schemas = new Set<string>([CORE_USER])
  if (u.resource[ENTERPRISE] !== undefined) schemas.add(ENTERPRISE)
  const out: Json = { ...u.resource, id: u.id, active: u.active }
  if (groups.length > 0) out.groups = groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${ctx.baseUrl}/Groups/${g.id}`, type: 'direct' }))
  if (sinch !== undefined) {
    schemas.add(SINCH_EXT)
    out[SINCH_EXT] = { projects: sinch }
  }
  out.schemas = [...schemas]
  out.meta = { resourceType: 'User', created: u.created, lastModified: u.lastModified, location: `${ctx.baseUrl}/Users/${u.id}`, version: etag(u.version) }
  return out
}

export function groupInput (rawBody: unknown, memberIdsFromBody = true): Omit<GroupInput, 'memberIds'> & { memberIds: string[] | null } {
  const body = normaliseBody(object(rawBody))
  let coerced = plainCoerce(groupDefinition(), body)
  if (coerced === null) {
    guardShapes(body, groupDefinition())
    try {
      coerced = JSON.parse(JSON.stringify(groupDefinition().coerce({ ...body, schemas: body.schemas ?? [CORE_GROUP] }, 'in'))) as Json
    } catch (err) {
      throw fromScimmy(err)
    }
  }
  const displayName = coerced.displayName
  if (typeof displayName !== 'string' || displayName.trim() === '') throw badRequest('invalidValue', 'displayName is required')
  const members = Array.isArray(coerced.members) ? coerced.members as Array<{ value?: unknown }> : null
  const memberIds = memberIdsFromBody && members !== null ? [...new Set(members.map((m) => String(m.value ?? '')).filter((v) => v !== ''))] : null
  delete coerced.members
  delete coerced.meta
  delete coerced.id
  return { displayName, externalId: typeof coerced.externalId === 'string' ? coerced.externalId : null, memberIds, resource: coerced }
}

export function groupJson (g: GroupRecord, ctx: ResourceContext, names: Map<string, string>): Json {
  return {
    ...g.resource,
    schemas: [CORE_GROUP],
    id: g.id,
    displayName: g.displayName,
    members: g.memberIds.map((id) => ({ value: id, $ref: `${ctx.baseUrl}/Users/${id}`, type: 'User', ...(names.has(id) ? { display: names.get(id) } : {}) })),
    meta: { resourceType: 'Group', created: g.created, lastModified: g.lastModified, location: `${ctx.baseUrl}/Groups/${g.id}`, version: etag(g.version) }
  }
}

export { normaliseOperations }
