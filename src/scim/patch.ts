import SCIMMY from 'scimmy'
import type { GroupRecord, UserRecord } from '../store/types.js'
import { badRequest, fromScimmy } from './errors.js'
import { normaliseOperations, type PatchOperation } from './patch-normalise.js'
import { groupInput, userInput } from './resources.js'
import { PATCH_OP } from './setup.js'
import type { GroupInput, UserInput } from '../store/directory-store.js'

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
    throw fromScimmy(err, 'invalidValue')
  }
}

const WORK_EMAIL_PATH = /^emails\[type eq "([^"]+)"\]\.value$/i

/** Entra: an Add or Replace on emails[type eq "work"].value that matches nothing creates the element. */
function createMissingEmails (ops: PatchOperation[], resource: Json): PatchOperation[] {
  return ops.map((op) => {
    const m = op.path === undefined ? null : WORK_EMAIL_PATH.exec(op.path)
    if (m === null || (op.op !== 'add' && op.op !== 'replace')) return op
    const emails = Array.isArray(resource.emails) ? resource.emails as Array<{ type?: string }> : []
    if (emails.some((e) => e.type?.toLowerCase() === m[1]?.toLowerCase())) return op
    return { op: 'add', path: 'emails', value: [{ type: m[1], value: op.value }] }
  })
}

export async function patchUser (current: UserRecord, body: unknown): Promise<UserInput> {
  const ops = createMissingEmails(operations(body), current.resource)
  const base: Json = { ...current.resource, id: current.id, active: current.active, meta: { resourceType: 'User' } }
  const patched = await apply(SCIMMY.Schemas.User, base, ops)
  return userInput(patched, current)
}

const MEMBER_FILTER = /^members\[value eq "([^"]+)"\]$/i

export async function patchGroup (current: GroupRecord, body: unknown): Promise<GroupInput> {
  const members = new Set(current.memberIds)
  // Removing someone who is not a member is already done (Okta and Entra both send it).
  const ops = operations(body).filter((op) => {
    const m = op.op === 'remove' && op.path !== undefined ? MEMBER_FILTER.exec(op.path) : null
    return m === null || members.has(m[1] ?? '')
  })
  const base: Json = { ...current.resource, id: current.id, displayName: current.displayName, members: current.memberIds.map((value) => ({ value })), meta: { resourceType: 'Group' } }
  const patched = await apply(SCIMMY.Schemas.Group, base, ops)
  const g = groupInput(patched)
  return { displayName: g.displayName, externalId: g.externalId, memberIds: g.memberIds ?? [], resource: g.resource }
}
