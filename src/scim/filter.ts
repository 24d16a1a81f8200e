import SCIMMY from 'scimmy'
import type { CompareOp, IndexedAttr, Term, Where } from '../store/directory-store.js'
import { badRequest, isRuntimeText } from './errors.js'
import { randomBytes } from 'node:crypto'
import { extractLiterals, type Literals } from './filter-literals.js'
import { guardBranches, guardFilter } from './filter-guard.js'

export type ParsedFilter = InstanceType<typeof SCIMMY.Types.Filter>
type Cond = [string, ...unknown[]]
const OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'])

/** One per process: the placeholder text of a filter is then the same for every request of its shape. */
const SHAPE_NONCE = randomBytes(6).toString('hex')
const SHAPES_MAX = 512
/** Parsed shapes by placeholder text, oldest first out: SCIMMY's parse costs ~90 µs, the IdP's lookups repeat one shape. */
const shapes = new Map<string, unknown[]>()

/**
 * SCIMMY parses; a parse failure is the client's: 400 invalidFilter, never a 500. Each shape
 * (the filter with its strings replaced by placeholders) is parsed once: what SCIMMY makes of a
 * text depends on that text alone, and string values never change whether it is valid.
 */
export function parseFilter (text: string): ParsedFilter {
  guardFilter(text)
  const literals = extractLiterals(text, SHAPE_NONCE)
  let shape = shapes.get(literals.text)
  if (shape === undefined) {
    shape = parseShape(text, literals)
    if (shapes.size >= SHAPES_MAX) shapes.delete(shapes.keys().next().value as string)
    shapes.set(literals.text, shape)
  }
  // restore copies: the cached shape is never handed out.
  const filter = literals.restore(shape) as unknown[]
  checkDates(filter)
  return filter as unknown as ParsedFilter
}

function parseShape (text: string, literals: Literals): unknown[] {
  let filter: ParsedFilter
  try {
    filter = new SCIMMY.Types.Filter(literals.text)
  } catch (err) {
    const message = (err as Error).message
    throw badRequest('invalidFilter', isRuntimeText(message) ? 'Invalid filter: it cannot be parsed' : `Invalid filter: ${literals.restore(message) as string}`, err)
  }
  const shape = JSON.parse(JSON.stringify(filter)) as unknown[]
  if (literals.count > 0) {
    // Built again from the expression, as it is used once the strings are back: SCIMMY then checks the attribute names.
    try {
      filter = new SCIMMY.Types.Filter(shape as never)
    } catch (err) {
      throw badRequest('invalidFilter', 'Invalid filter: an attribute name is not one a filter can use', err)
    }
  }
  // SCIMMY accepts `userName eq` with no value; RFC 7644 §3.4.2.2 needs one for every operator but pr.
  const complete = (node: unknown): boolean => {
    if (Array.isArray(node)) {
      if (node.length > 0 && Array.isArray(node[0])) return node.every(complete)
      const c = node[0] === 'not' ? node.slice(1) : node
      return c[0] === 'pr' || c.length >= 2
    }
    if (typeof node === 'object' && node !== null) return Object.values(node).every(complete)
    return true
  }
  if (!shape.every(complete)) throw badRequest('invalidFilter', `Invalid filter: an operator is missing its value in "${text}"`)
  guardBranches(shape.length)
  return shape
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/

/**
 * meta.created and meta.lastModified are dateTime (RFC 7643 §3.1, §2.3.5: xsd:dateTime): a
 * comparison with a value that is no date is the client's error (invalidFilter), not an empty
 * or arbitrary page.
 */
function checkDates (branches: unknown[]): void {
  for (const b of branches) {
    for (const [key, v] of Object.entries(b as Record<string, unknown>)) {
      if (key.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i, '').toLowerCase() !== 'meta' || typeof v !== 'object' || v === null) continue
      for (const [sk, sv] of Object.entries(v as Record<string, unknown>)) {
        if (sk.toLowerCase() !== 'created' && sk.toLowerCase() !== 'lastmodified') continue
        for (const c of conds(sv) ?? []) {
          const [op, value] = (c[0] === 'not' ? c.slice(1) : c) as [string, unknown]
          if (op === 'pr') continue
          if (typeof value !== 'string' || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
            throw badRequest('invalidFilter', `meta.${sk} is a dateTime: ${JSON.stringify(value)} is not one (RFC 3339, e.g. "2026-01-31T00:00:00Z")`)
          }
        }
      }
    }
  }
}

function conds (v: unknown): Cond[] | null {
  if (!Array.isArray(v)) return null
  if (v.length > 0 && Array.isArray(v[0])) return v as Cond[]
  return [v as Cond]
}

function toTerms (attr: IndexedAttr, v: unknown, out: Term[], emailType?: string): boolean {
  const list = conds(v)
  if (list === null) return false
  for (const c of list) {
    const negate = c[0] === 'not'
    const [op, value] = (negate ? c.slice(1) : c) as [string, unknown]
    if (!OPS.has(op)) return false
    if (value !== undefined && value !== null && typeof value === 'object') return false
    out.push({ attr, op: op as CompareOp, value: operand(attr, value), negate, ...(emailType === undefined ? {} : { emailType }) })
  }
  return true
}

/** A literal of the attribute's type: a number read as text where text is stored; a boolean only for `active`. */
function operand (attr: IndexedAttr, value: unknown): Term['value'] {
  if (value === undefined || value === null || attr === 'active') return (value ?? null) as Term['value']
  // PostgreSQL text cannot hold U+0000 (PostgreSQL manual §8.3), so no stored value has one: refused on both engines alike.
  if (typeof value === 'string' && value.includes('\u0000')) throw badRequest('invalidFilter', 'A filter value may not contain the NUL character (U+0000)')
  const date = attr === 'meta.created' || attr === 'meta.lastModified'
  if (typeof value === 'boolean' || (date && typeof value === 'number')) throw badRequest('invalidFilter', `${attr} cannot be compared with ${String(value)}`)
  return typeof value === 'number' ? String(value) : value as Term['value']
}

const TOP: Record<string, IndexedAttr> = { id: 'id', username: 'userName', externalid: 'externalId', displayname: 'displayName', active: 'active' }

function branch (expr: Record<string, unknown>, kind: 'user' | 'group'): Term[] | null {
  const out: Term[] = []
  for (const [key, v] of Object.entries(expr)) {
    const k = key.toLowerCase()
    const top = Object.hasOwn(TOP, k) ? TOP[k] : undefined
    if (top !== undefined && (kind === 'user' || (top !== 'active' && top !== 'userName'))) {
      if (!toTerms(top, v, out)) return null
      continue
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null
    const sub = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([sk, sv]) => [sk.toLowerCase(), sv]))
    if (k === 'meta') {
      for (const [sk, sv] of Object.entries(sub)) {
        if (sk !== 'lastmodified' && sk !== 'created') return null
        if (!toTerms(sk === 'created' ? 'meta.created' : 'meta.lastModified', sv, out)) return null
      }
    } else if (k === 'emails' && kind === 'user') {
      const type = conds(sub.type)
      const typeValue = type?.length === 1 && type[0]?.[0] === 'eq' && typeof type[0][1] === 'string' ? type[0][1] : undefined
      if (Object.keys(sub).some((sk) => sk !== 'value' && sk !== 'type') || (sub.type !== undefined && typeValue === undefined)) return null
      if (sub.value === undefined) return null
      if (!toTerms('emails.value', sub.value, out, typeValue)) return null
    } else if (k === 'members' && kind === 'group') {
      if (Object.keys(sub).some((sk) => sk !== 'value')) return null
      if (!toTerms('members.value', sub.value, out)) return null
    } else {
      return null
    }
  }
  return out
}

/** The filter as index lookups, or null when some part needs evaluating against whole resources. */
export function toWhere (filter: ParsedFilter, kind: 'user' | 'group'): Where | null {
  const branches = [...(filter as unknown as Array<Record<string, unknown>>)]
  const where: Where = []
  for (const b of branches) {
    const terms = branch(b, kind)
    if (terms === null) return null
    where.push(terms)
  }
  return where
}

/** Users' attributes an `eq` lookup is answered for by simpleUserEquality, by their spelling in a Term. */
const EQUALITY_ATTRS: Record<string, IndexedAttr> = { username: 'userName', externalid: 'externalId', id: 'id', 'emails.value': 'emails.value' }
/** `attr eq "text"`, the text without quotes, backslashes or control characters (any of those take the full parse). */
const SIMPLE_EQUALITY = /^\s*(userName|externalId|id|emails\.value) +eq +"([^"\\\p{Cc}]*)"\s*$/iu

/**
 * toWhere(parseFilter(text), 'user') for the lookup Okta and Entra send for every user they match
 * (`userName eq "…"`, `externalId eq "…"`), without the parse: null for any other filter. The
 * same Where, so the same SQL and answer; test/unit/scim/filter-simple.test.ts holds the two
 * together over random filters.
 */
export function simpleUserEquality (text: string): Where | null {
  const m = SIMPLE_EQUALITY.exec(text)
  if (m === null) return null
  const attr = EQUALITY_ATTRS[(m[1] as string).toLowerCase()]
  return attr === undefined ? null : [[{ attr, op: 'eq', value: m[2] as string, negate: false }]]
}
