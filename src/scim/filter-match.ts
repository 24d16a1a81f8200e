import SCIMMY from 'scimmy'
import type { ParsedFilter } from './filter.js'

type Json = Record<string, unknown>
interface Definition { attribute: (path: string) => unknown }

const CORE = /^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i

/** caseExact=false string attributes compare case-insensitively (RFC 7643 §2.2, §7). */
function folds (def: Definition, path: string): boolean {
  try {
    const a = def.attribute(path) as { type?: string, config?: { caseExact?: boolean } }
    return a.type === 'string' && a.config?.caseExact !== true
  } catch {
    return false
  }
}

/** The resource with every case-insensitive string lower-cased; extension objects keep their URN. */
function foldResource (def: Definition, value: unknown, path: string): unknown {
  if (typeof value === 'string') return path !== '' && !path.endsWith(':') && folds(def, path) ? value.toLowerCase() : value
  if (Array.isArray(value)) return value.map((v) => foldResource(def, v, path))
  if (typeof value !== 'object' || value === null) return value
  const out: Json = {}
  for (const [k, v] of Object.entries(value as Json)) {
    // An extension object's attributes are addressed as `<urn>:<attr>`, core ones as `a.b`.
    const child = path === '' ? (k.startsWith('urn:') ? `${k}:` : k) : path.endsWith(':') ? `${path}${k}` : `${path}.${k}`
    out[k] = foldResource(def, v, child)
  }
  return out
}

const isCondition = (v: unknown): v is unknown[] => Array.isArray(v)

function foldCondition (c: unknown[], fold: boolean): unknown[] {
  if (c.length > 0 && Array.isArray(c[0])) return c.map((x) => foldCondition(x as unknown[], fold))
  return c.map((x, i) => (i > 0 && fold && typeof x === 'string' ? x.toLowerCase() : x))
}

/** `urn:…:enterprise:2.0:User:employeeNumber` → nested under the extension's URN; core URNs stripped. */
function nest (key: string): string[] {
  const core = key.replace(CORE, '')
  if (!core.startsWith('urn:')) return [core]
  const at = core.lastIndexOf(':')
  return [core.slice(0, at), core.slice(at + 1)]
}

function foldBranch (def: Definition, branch: Json, prefix: string): Json {
  const out: Json = {}
  for (const [rawKey, v] of Object.entries(branch)) {
    const parts = prefix === '' ? nest(rawKey) : [rawKey]
    const [head = '', tail] = parts
    const path = prefix === '' ? (tail === undefined ? head : `${head}:${tail}`) : `${prefix}.${rawKey}`
    const folded = isCondition(v) ? foldCondition(v, folds(def, path)) : foldBranch(def, v as Json, path)
    if (tail === undefined) out[head] = folded
    else out[head] = { ...(out[head] as Json | undefined), [tail]: folded }
  }
  return out
}

/**
 * Evaluates a filter against whole resources (what no index answers) with the schema's case rules
 * and extension attributes, which SCIMMY's own matcher ignores: `name.givenName eq "ann"` matches
 * "Ann", and `urn:…:enterprise:2.0:User:employeeNumber eq "7"` looks inside the extension.
 */
export function createMatcher (filter: ParsedFilter, def: Definition): (resource: Json) => boolean {
  const branches = (filter as unknown as Json[]).map((b) => foldBranch(def, b, ''))
  const compiled = new SCIMMY.Types.Filter(branches as never)
  return (resource) => {
    try {
      return compiled.match([foldResource(def, resource, '') as Json]).length > 0
    } catch {
      // SCIMMY's matcher throws on a missing parent attribute (name.givenName with no name):
      // such a resource simply does not match.
      return false
    }
  }
}
