import SCIMMY from 'scimmy'
import type { GroupRecord } from '../domain/groups.js'
import type { UserRecord } from '../domain/users.js'
import { badRequest, fromScimmy } from './errors.js'
import { normaliseOperations, type PatchOperation } from './patch-normalise.js'
import { groupInput, userInput } from './resources.js'
import { unwrapSingleValues } from './patch-unwrap.js'
import { applyExtensionOps } from './patch-extension.js'
import { ENTERPRISE, PATCH_OP, SINCH_EXT, groupDefinition, userDefinition } from './setup.js'
import type { GroupInput } from '../domain/groups.js'
import type { UserInput } from '../domain/users.js'

type Json = Record<string, unknown>

function operations (body: unknown): PatchOperation[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('invalidSyntax', 'The request body must be a PatchOp object')
  const b = body as Json
  const ops = b.Operations ?? b.operations
  if (!Array.isArray(ops)) throw badRequest('invalidSyntax', 'PatchOp requires an Operations array')
  return normaliseOperations(ops)
}

/** RFC 7644 §3.5.2 via SCIMMY, on a copy: every op applies or none does. */
async function apply (Schema: typeof SCIMMY.Schemas.User | typeof SCIMMY.Schemas.Group, current: Json, ops: PatchOperation[]): Promise<Json> {
  if (ops.length === 0) return current
  try {
    const instance = new Schema(current, 'out')
    const message = new SCIMMY.Messages.PatchOp({ schemas: [PATCH_OP], Operations: ops as never })
    const result = await message.apply(instance as never)
    return JSON.parse(JSON.stringify(result ?? instance)) as Json
  } catch (err) {
    throw fromScimmy(err, 'invalidValue', (i) => {
      const op = i === null ? undefined : ops[i - 1]
      return op === undefined ? 'The PATCH could not be applied' : `PATCH operation ${i ?? ''} ('${op.op}' ${op.path === undefined ? 'without a path' : `on ${op.path}`}) cannot be applied to this resource`
    })
  }
}

const TYPED_VALUE_PATH = /^(\w+)\[type eq "([^"]+)"\]\.(\w+)$/i

/**
 * Entra: an Add or Replace on a typed element (`emails[type eq "work"].value`,
 * `phoneNumbers[type eq "mobile"].value`, `addresses[type eq "work"].streetAddress`) that matches
 * no element creates it (Microsoft's SCIM compliance notes); RFC 7644 would answer noTarget.
 */
function createMissingTyped (ops: PatchOperation[], resource: Json): PatchOperation[] {
  return ops.map((op) => {
    const m = op.path === undefined ? null : TYPED_VALUE_PATH.exec(op.path)
    if (m === null || (op.op !== 'add' && op.op !== 'replace')) return op
    const [, attrName = '', type = '', sub = ''] = m
    let attr
    try { attr = userDefinition().attribute(attrName) } catch { return op }
    if (attr.type !== 'complex' || attr.config.multiValued !== true) return op
    const key = Object.keys(resource).find((k) => k.toLowerCase() === attr.name.toLowerCase())
    const items = key !== undefined && Array.isArray(resource[key]) ? resource[key] as Array<{ type?: unknown }> : []
    if (items.some((e) => typeof e?.type === 'string' && e.type.toLowerCase() === type.toLowerCase())) return op
    return { op: 'add', path: attr.name, value: [{ type, [sub]: op.value }] }
  })
}

const PRIMARY_ROLE_PATH = /^roles\[primary eq "?true"?\]\.value$/i

/**
 * Entra's SingleAppRoleAssignment writes `roles[primary eq "True"].value` (Microsoft, "Customize
 * application attributes", provisioning a role to a SCIM app); on a user who holds no primary role
 * yet there is nothing to match, and the assignment must create it, as for typed emails above.
 */
function createMissingPrimaryRole (ops: PatchOperation[], resource: Json): PatchOperation[] {
  return ops.map((op) => {
    if (op.path === undefined || !PRIMARY_ROLE_PATH.test(op.path) || (op.op !== 'add' && op.op !== 'replace')) return op
    const roles = Array.isArray(resource.roles) ? resource.roles as Array<{ primary?: unknown }> : []
    if (roles.some((r) => r?.primary === true)) return op
    return { op: 'add', path: 'roles', value: [{ primary: true, value: op.value }] }
  })
}

const SIMPLE_PATH = /^[A-Za-z]\w*(\.[A-Za-z]\w*)?$/

/**
 * The common case (IdPs replacing one scalar: name.givenName, displayName, active) applied
 * directly; SCIMMY's PatchOp and coercion cost more than the rest of the request together.
 * Anything else — filters, multi-valued or read-only targets, removals, no-path objects, values
 * that are not a plain string or boolean of the attribute's type, canonical-value lists — goes
 * through SCIMMY, which then reports the error it finds.
 */
function simplePatch (resource: Json, ops: PatchOperation[]): Json | null {
  const def = userDefinition()
  // A shallow copy is enough: an op replaces a top-level value, or a complex one by a new object.
  const out = { ...resource }
  for (const op of ops) {
    if ((op.op !== 'replace' && op.op !== 'add') || op.path === undefined || !SIMPLE_PATH.test(op.path)) return null
    const [first, second] = op.path.split('.') as [string, string | undefined]
    let top, sub
    try {
      top = def.attribute(first)
      sub = second === undefined ? undefined : def.attribute(op.path)
    } catch {
      return null
    }
    const target = sub ?? top
    const plain = (target.type === 'string' || target.type === 'boolean') && typeof op.value === target.type && !Array.isArray(target.config.canonicalValues)
    if (!plain || top.config.mutable !== true || top.config.multiValued === true || target.config.mutable !== true || target.config.multiValued === true) return null
    if (sub === undefined) out[top.name] = op.value
    else out[top.name] = { ...(out[top.name] as Json | undefined), [sub.name]: op.value }
  }
  return out
}

/**
 * RFC 7643 §7: a readOnly attribute (groups, meta, the Sinch view) cannot be modified; SCIMMY
 * would silently ignore the op and answer 200 as if it had applied (RFC 7644 §3.5.2: mutability).
 */
function refuseReadOnly (ops: PatchOperation[]): void {
  const def = userDefinition()
  for (const op of ops) {
    const names = op.path !== undefined ? [op.path] : typeof op.value === 'object' && op.value !== null ? Object.keys(op.value) : []
    for (const name of names) {
      if (name.toLowerCase().startsWith(SINCH_EXT.toLowerCase())) throw badRequest('mutability', `${SINCH_EXT} is read-only: it shows what Sinch holds`)
      const top = /^[^[.]+/.exec(name)?.[0] ?? name
      let attr
      try { attr = def.attribute(top) } catch { continue }
      if (attr.config.mutable === false) throw badRequest('mutability', `Attribute ${top} is read-only`)
    }
  }
}

export async function patchUser (current: UserRecord, body: unknown): Promise<UserInput> {
  const ops = createMissingPrimaryRole(createMissingTyped(unwrapSingleValues(operations(body), userDefinition()), current.resource), current.resource)
  refuseReadOnly(ops)
  const base: Json = { ...current.resource, id: current.id, active: current.active, meta: { resourceType: 'User' } }
  const ext = applyExtensionOps(ops, base, [ENTERPRISE])
  const simple = ext.changed ? null : simplePatch(base, ops)
  if (simple !== null) return userInput(simple, current, true)
  return userInput(await apply(SCIMMY.Schemas.User, ext.resource, ext.ops), current)
}

const MEMBER_FILTER = /^members\[value eq "([^"]+)"\]$/i

const isMembers = (path: string | undefined): boolean => path?.toLowerCase() === 'members'
const memberValues = (value: unknown): string[] | null => {
  if (!Array.isArray(value)) return null
  const out: string[] = []
  for (const v of value) {
    const id = typeof v === 'object' && v !== null ? (v as Json).value : undefined
    if (typeof id !== 'string' || id.trim() === '') return null
    out.push(id)
  }
  return out
}

/**
 * The shapes Okta and Entra send to groups (IDP.md): members added, removed by filter or by value,
 * replaced or cleared, and a rename. Applied on a Set, without handing SCIMMY a resource of every
 * member: on a group of 10,000 that took about 0.9 s of the event loop per PATCH. Anything else
 * (or any doubt) returns null and goes the general way.
 */
function simpleGroupPatch (current: GroupRecord, ops: PatchOperation[]): GroupInput | null {
  const members = new Set(current.memberIds)
  let displayName = current.displayName
  for (const op of ops) {
    const filtered = op.path === undefined ? null : MEMBER_FILTER.exec(op.path)
    const values = memberValues(op.value)
    if (op.op === 'add' && isMembers(op.path) && values !== null) values.forEach((v) => members.add(v))
    else if (op.op === 'remove' && filtered !== null && op.value === undefined) members.delete(filtered[1] ?? '')
    else if (op.op === 'remove' && isMembers(op.path) && op.value === undefined) members.clear()
    else if (op.op === 'remove' && isMembers(op.path) && values !== null) values.forEach((v) => members.delete(v))
    else if (op.op === 'replace' && isMembers(op.path) && values !== null) { members.clear(); values.forEach((v) => members.add(v)) }
    else if (op.op === 'replace' && op.path?.toLowerCase() === 'displayname' && typeof op.value === 'string' && op.value.trim() !== '') displayName = op.value
    else if (op.op === 'replace' && op.path === undefined && isRename(op.value)) displayName = (op.value as { displayName: string }).displayName
    else return null
  }
  return { displayName, externalId: current.externalId, memberIds: [...members], resource: { ...current.resource, displayName } }
}

function isRename (value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const keys = Object.keys(value)
  const name = (value as Json).displayName
  return keys.length === 1 && keys[0] === 'displayName' && typeof name === 'string' && name.trim() !== ''
}

export async function patchGroup (current: GroupRecord, body: unknown): Promise<GroupInput> {
  const all = unwrapSingleValues(operations(body), groupDefinition())
  return simpleGroupPatch(current, all) ?? await schemaGroupPatch(current, all)
}

/** The general way, through SCIMMY (exported so tests can hold the fast path to it). */
export async function schemaGroupPatch (current: GroupRecord, all: PatchOperation[]): Promise<GroupInput> {
  const members = new Set(current.memberIds)
  // Removing someone who is not a member is already done (Okta and Entra both send it).
  const ops = all.filter((op) => {
    const m = op.op === 'remove' && op.path !== undefined ? MEMBER_FILTER.exec(op.path) : null
    return m === null || members.has(m[1] ?? '')
  })
  const base: Json = { ...current.resource, id: current.id, displayName: current.displayName, members: current.memberIds.map((value) => ({ value })), meta: { resourceType: 'Group' } }
  const patched = await apply(SCIMMY.Schemas.Group, base, ops)
  const g = groupInput(patched)
  return { displayName: g.displayName, externalId: g.externalId, memberIds: g.memberIds ?? [], resource: g.resource }
}
