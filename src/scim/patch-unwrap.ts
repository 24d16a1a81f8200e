import type { PatchOperation } from './patch-normalise.js'

/** SCIMMY's SchemaDefinition: attribute() gives an Attribute, or a SchemaDefinition for an extension URN. */
interface Definition { attribute: (path: string) => unknown }

type Json = Record<string, unknown>

/** The attribute's type when it is single-valued and not complex; null otherwise or when unknown. */
function singleType (def: Definition, path: string): string | null {
  try {
    const a = def.attribute(path) as { type?: unknown, config?: { multiValued?: boolean } }
    return typeof a.type === 'string' && a.type !== 'complex' && a.config?.multiValued !== true ? a.type : null
  } catch {
    return null
  }
}

/** `[{"value": x}]` (nothing else in the element, or only `primary`) → x. */
function unwrapped (type: string | null, v: unknown): { ok: true, value: unknown } | { ok: false } {
  if (type === null || !Array.isArray(v) || v.length !== 1) return { ok: false }
  const [el] = v as unknown[]
  if (typeof el !== 'object' || el === null || Array.isArray(el) || !('value' in el)) return { ok: false }
  const extra = Object.keys(el).filter((k) => k !== 'value' && k !== 'primary')
  if (extra.length > 0) return { ok: false }
  const value = (el as Json).value
  // The same pre-flag Entra sends booleans as "True"/"False" (patch-normalise.ts does it unwrapped).
  if (type === 'boolean' && typeof value === 'string' && /^(true|false)$/i.test(value)) return { ok: true, value: value.toLowerCase() === 'true' }
  return { ok: true, value }
}

/**
 * Entra before the aadOptscim062020 flag wraps a single value as a one-element list of
 * `{"value": …}`, e.g. `{"op":"Add","path":"displayName","value":[{"value":"Caz"}]}` (Microsoft's
 * "Known issues and resolutions with SCIM 2.0 compliance"). For an attribute the schema declares
 * single-valued and not complex (RFC 7643 §2.3, §7), the wrapped value is what was meant.
 */
export function unwrapSingleValues (ops: PatchOperation[], def: Definition): PatchOperation[] {
  return ops.map((op) => {
    if (op.op !== 'add' && op.op !== 'replace') return op
    if (op.path !== undefined) {
      const u = unwrapped(singleType(def, op.path), op.value)
      return u.ok ? { ...op, value: u.value } : op
    }
    if (typeof op.value !== 'object' || op.value === null || Array.isArray(op.value)) return op
    const value: Json = {}
    for (const [k, v] of Object.entries(op.value as Json)) {
      const u = unwrapped(singleType(def, k), v)
      value[k] = u.ok ? u.value : v
    }
    return { ...op, value }
  })
}
