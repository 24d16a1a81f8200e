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

type Cond = unknown[]

/** Attribute names are case-insensitive (RFC 7643 §2.1). */
function get (obj: unknown, key: string): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined
  const o = obj as Json
  if (Object.hasOwn(o, key)) return o[key]
  const lower = key.toLowerCase()
  const found = Object.keys(o).find((k) => k.toLowerCase() === lower)
  return found === undefined ? undefined : o[found]
}

function present (v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false
  if (Array.isArray(v)) return v.some(present)
  if (typeof v === 'object') return Object.values(v as Json).some(present)
  return true
}

const ISO = /^\d{4}-\d{2}-\d{2}T/

function compare (a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a !== 'string' || typeof b !== 'string') return null
  if (ISO.test(a) && ISO.test(b)) {
    const [x, y] = [Date.parse(a), Date.parse(b)]
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y
  }
  return a < b ? -1 : a > b ? 1 : 0
}

/** One value against one operator; a multi-valued attribute matches when any of its values does. */
function test (value: unknown, op: string, operand: unknown): boolean {
  if (op === 'pr') return present(value)
  if (Array.isArray(value)) return value.some((v) => test(v, op, operand))
  // A complex value without a sub-attribute compares its "value" (RFC 7643 §2.4).
  if (typeof value === 'object' && value !== null) return test(get(value, 'value'), op, operand)
  if (value === undefined || value === null) return false
  switch (op) {
    case 'eq': return value === operand || compare(value, operand) === 0
    case 'ne': return !test(value, 'eq', operand)
    case 'co': return typeof value === 'string' && typeof operand === 'string' && value.includes(operand)
    case 'sw': return typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand)
    case 'ew': return typeof value === 'string' && typeof operand === 'string' && value.endsWith(operand)
  }
  const c = compare(value, operand)
  if (c === null) return false
  return op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : op === 'le' ? c <= 0 : false
}

const listOf = (spec: Cond): Cond[] => (spec.length > 0 && Array.isArray(spec[0]) ? spec as Cond[] : [spec])

/** All conditions on one attribute; `not` negates its whole comparison, over every value. */
function holds (value: unknown, spec: Cond): boolean {
  return listOf(spec).every((c) => {
    const negate = c[0] === 'not'
    const [op, operand] = (negate ? c.slice(1) : c) as [string, unknown]
    return negate ? !test(value, op, operand) : test(value, op, operand)
  })
}

/**
 * Sub-attribute conditions bind to one element of a multi-valued attribute (`emails[type eq
 * "work" and value co "x"]`); a negated one must hold for no element at all.
 */
function within (value: unknown, spec: Json): boolean {
  const elements = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]
  const positive: Json = {}
  const negative: Array<[string, Cond]> = []
  for (const [k, v] of Object.entries(spec)) {
    if (Array.isArray(v) && listOf(v).every((c) => c[0] === 'not')) negative.push([k, v])
    else positive[k] = v
  }
  const any = Object.keys(positive).length === 0 || elements.some((el) => branchHolds(el, positive))
  return any && negative.every(([k, v]) => holds(elements.map((el) => get(el, k)), v))
}

function branchHolds (resource: unknown, branch: Json): boolean {
  return Object.entries(branch).every(([k, spec]) => {
    const value = get(resource, k)
    return Array.isArray(spec) ? holds(value, spec) : within(value, spec as Json)
  })
}

/**
 * Evaluates a filter against whole resources (what no index answers) with the schema's case rules,
 * extension attributes and multi-valued attributes, where SCIMMY's own matcher ignores case, does
 * not look inside extensions and throws on `emails pr` or a missing parent.
 */
export function createMatcher (filter: ParsedFilter, def: Definition): (resource: Json) => boolean {
  const branches = (filter as unknown as Json[]).map((b) => foldBranch(def, b, ''))
  return (resource) => {
    const folded = foldResource(def, resource, '')
    return branches.some((b) => branchHolds(folded, b))
  }
}
