import type { PatchOperation } from './patch-normalise.js'

type Json = Record<string, unknown>

/** Keys that describe a resource, not an extension's content; a client may copy them in. */
const ENVELOPE = new Set(['schemas', 'meta', 'id'])

function content (value: unknown): Json | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  return Object.fromEntries(Object.entries(value as Json).filter(([k]) => !ENVELOPE.has(k)))
}

/**
 * Ops whose path is a whole extension (`urn:…:enterprise:2.0:User`), applied here: RFC 7644
 * §3.5.2 lets a path name the extension itself; SCIMMY fails on `remove` of it with a runtime
 * TypeError, and on `add`/`replace` with a value that carries its own `schemas` (pydantic
 * clients serialise extensions so). Remove clears the extension (§3.5.2.2), replace sets it
 * (§3.5.2.3), add merges into it (§3.5.2.1). Returns the ops left for the general way and
 * whether the resource changed here (it must then be validated as a whole).
 */
export function applyExtensionOps (ops: PatchOperation[], resource: Json, extensions: string[]): { ops: PatchOperation[], resource: Json, changed: boolean } {
  const names = extensions.map((e) => e.toLowerCase())
  // Most PATCHes name no extension as a whole: nothing to copy then.
  if (!ops.some((op) => op.path !== undefined && names.includes(op.path.toLowerCase()))) return { ops, resource, changed: false }
  const out = structuredClone(resource)
  const rest: PatchOperation[] = []
  let changed = false
  for (const op of ops) {
    const urn = op.path === undefined ? undefined : extensions.find((e) => e.toLowerCase() === op.path?.toLowerCase())
    // Only a prefix of ops can be taken out of order: later ops may depend on earlier ones.
    if (urn === undefined || rest.length > 0) { rest.push(op); continue }
    const key = Object.keys(out).find((k) => k.toLowerCase() === urn.toLowerCase()) ?? urn
    if (op.op === 'remove') {
      delete out[key]
      changed = true
      continue
    }
    const value = content(op.value)
    if (value === null || (op.op !== 'add' && op.op !== 'replace')) { rest.push(op); continue }
    out[key] = op.op === 'add' ? { ...(out[key] as Json | undefined), ...value } : value
    changed = true
  }
  return { ops: rest, resource: out, changed }
}
