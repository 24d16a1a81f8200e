import { badRequest } from './errors.js'
import { ENTERPRISE } from './setup.js'

export interface PatchOperation { op: string, path?: string, value?: unknown }

const BOOL = /^(true|false)$/i
const MANAGER = `${ENTERPRISE}:manager`.toLowerCase()

function bool (v: unknown): unknown {
  return typeof v === 'string' && BOOL.test(v) ? v.toLowerCase() === 'true' : v
}

/** Entra sends manager as an object, an array of one, or a bare id. */
function manager (v: unknown): unknown {
  if (Array.isArray(v)) return manager(v[0])
  if (typeof v === 'string') return { value: v }
  return v
}

/** Entra may send roles (and other multi-valued attributes) as stringified JSON. */
function maybeJson (v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return v
  try {
    return JSON.parse(v)
  } catch {
    return v
  }
}

/** Entra and Microsoft's validator send `"primary": "true"` inside multi-valued attributes. */
export function primaries (v: unknown): unknown {
  if (Array.isArray(v)) return v.map(primaries)
  if (typeof v !== 'object' || v === null) return v
  const o = v as Record<string, unknown>
  return 'primary' in o ? { ...o, primary: bool(o.primary) } : o
}

/** An extension's content as a no-path value: without the `schemas` a pydantic client copies in, manager fixed. */
function extensionValue (v: Record<string, unknown>): Record<string, unknown> {
  const out = Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'schemas' && k !== 'meta' && k !== 'id'))
  return 'manager' in out ? { ...out, manager: manager(out.manager) } : out
}

/** Microsoft's tutorial PATCHes `manager` with no URN: it lives only in the enterprise extension. */
function corePath (path: string | undefined): string | undefined {
  return path !== undefined && /^manager(\.value)?$/i.test(path) ? `${ENTERPRISE}:${path}` : path
}

function fixValue (path: string, v: unknown): unknown {
  const p = path.toLowerCase()
  if (p === 'active' || p.endsWith('.primary')) return bool(v)
  if (p === MANAGER || p === 'manager') return manager(v)
  if (p === 'roles' || p === 'entitlements') return primaries(maybeJson(v))
  return primaries(v)
}

/**
 * Normalises what Okta and Entra send into plain RFC 7644 PATCH for SCIMMY (IDP.md): capitalised
 * ops, "True"/"False" strings, managers as strings, stringified roles, explicit nulls (→ remove),
 * and Entra's no-path objects carrying an `id`.
 */
/** IdPs send a handful per PATCH; each op re-walks the resource, so the count is bounded. */
export const MAX_OPERATIONS = 1000

export function normaliseOperations (ops: unknown): PatchOperation[] {
  if (!Array.isArray(ops)) return []
  if (ops.length > MAX_OPERATIONS) throw badRequest('invalidSyntax', `A PATCH may carry at most ${MAX_OPERATIONS} operations; this one has ${ops.length}`)
  const out: PatchOperation[] = []
  for (const raw of ops as Array<Record<string, unknown>>) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('invalidSyntax', 'Each PATCH operation must be an object with an "op"')
    const op = String(raw.op ?? '').toLowerCase()
    const path = corePath(typeof raw.path === 'string' && raw.path.trim() !== '' ? raw.path.trim() : undefined)
    if (path !== undefined) {
      // `manager.value` on a user with no manager: SCIMMY finds no target; it is the manager's id.
      if (path.toLowerCase() === `${MANAGER}.value` && (op === 'add' || op === 'replace') && raw.value !== null && raw.value !== undefined) {
        out.push({ op, path: `${ENTERPRISE}:manager`, value: manager(Array.isArray(raw.value) ? raw.value[0] : raw.value) })
        continue
      }
      if (raw.value === null && op !== 'remove') out.push({ op: 'remove', path })
      else out.push(raw.value === undefined ? { op, path } : { op, path, value: fixValue(path, raw.value) })
      continue
    }
    if (typeof raw.value !== 'object' || raw.value === null || Array.isArray(raw.value)) {
      out.push({ op, value: raw.value })
      continue
    }
    const value: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(raw.value as Record<string, unknown>)) {
      if (k === 'id' || k === 'meta' || k === 'schemas') continue
      if (v === null) {
        out.push({ op: 'remove', path: k })
        continue
      }
      value[k] = k.toLowerCase().startsWith('urn:') && typeof v === 'object' && v !== null && !Array.isArray(v)
        ? extensionValue(v as Record<string, unknown>)
        : fixValue(k, v)
    }
    if (Object.keys(value).length > 0) out.push({ op, value })
  }
  return out.map(deactivateOnRemove)
}

/**
 * RFC 7644 §3.5.2.2 makes a removed attribute unassigned; an unassigned `active` must not keep
 * access in an offboarding tool, so `remove` of active is deactivation, the same as active=false.
 */
function deactivateOnRemove (op: PatchOperation): PatchOperation {
  return op.op === 'remove' && op.path?.toLowerCase() === 'active' ? { op: 'replace', path: 'active', value: false } : op
}
