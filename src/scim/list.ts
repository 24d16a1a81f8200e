import type { Query } from '../store/directory-store.js'
import { badRequest } from './errors.js'
import { LIST, MAX_RESULTS } from './setup.js'

export interface ListParams {
  filter: string | null
  startIndex: number
  count: number
  sortBy: string | null
  descending: boolean
  attributes: string[] | null
  excludedAttributes: string[] | null
}

const split = (v: unknown): string[] | null =>
  typeof v === 'string' && v.trim() !== '' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : Array.isArray(v) ? v.map(String) : null

function int (v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback
  const n = Number(v)
  if (!Number.isFinite(n) || !Number.isInteger(n)) throw badRequest('invalidValue', `${name} must be an integer`)
  return n
}

/** Query string (GET) or SearchRequest body (POST /.search) → paging, sorting, projection. */
export function listParams (src: Record<string, unknown>): ListParams {
  const order = typeof src.sortOrder === 'string' ? src.sortOrder.toLowerCase() : 'ascending'
  if (order !== 'ascending' && order !== 'descending') throw badRequest('invalidValue', 'sortOrder must be ascending or descending')
  return {
    filter: typeof src.filter === 'string' && src.filter.trim() !== '' ? src.filter : null,
    // RFC 7644 §3.4.2.4: startIndex < 1 is read as 1; count < 0 as 0; count is capped. A start
    // past any real directory (1e308, 99999999999999999999) is an empty page on both engines:
    // clamped to what a SQL OFFSET (bigint on PostgreSQL) and a JS number hold exactly.
    startIndex: Math.min(Number.MAX_SAFE_INTEGER, Math.max(1, int(src.startIndex, 'startIndex', 1))),
    count: Math.min(MAX_RESULTS, Math.max(0, int(src.count, 'count', MAX_RESULTS))),
    sortBy: typeof src.sortBy === 'string' && src.sortBy !== '' ? src.sortBy : null,
    descending: order === 'descending',
    attributes: split(src.attributes),
    excludedAttributes: split(src.excludedAttributes)
  }
}

/** `attributes` / `excludedAttributes` of a single-resource read (RFC 7644 §3.4.2.5), trimmed. */
export function projectionParams (src: Record<string, unknown>): Pick<ListParams, 'attributes' | 'excludedAttributes'> {
  return { attributes: split(src.attributes), excludedAttributes: split(src.excludedAttributes) }
}

const SORTABLE: Record<string, NonNullable<Query['sortBy']>> = {
  id: 'id', username: 'userName', displayname: 'displayName', externalid: 'externalId', 'meta.created': 'meta.created', 'meta.lastmodified': 'meta.lastModified'
}

export function sortColumn (sortBy: string | null): Query['sortBy'] {
  if (sortBy === null) return null
  const key = sortBy.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, '')
  const col = Object.hasOwn(SORTABLE, key) ? SORTABLE[key] : undefined
  if (col === undefined) throw badRequest('invalidValue', `sortBy "${sortBy}" is not a sortable attribute`)
  return col
}

const ALWAYS = new Set(['id', 'schemas', 'meta'])

function strip (name: string): string {
  return name.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, '')
}

type Json = Record<string, unknown>
const keyOf = (o: Json, name: string): string | undefined => Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase())

/**
 * An attribute reference as (top-level key, sub-attribute path): `name.givenName`,
 * `urn:…:enterprise:2.0:User` (the whole extension), `urn:…:enterprise:2.0:User:employeeNumber`.
 */
function locate (resource: Json, raw: string): { key: string, sub: string | undefined } | null {
  const name = strip(raw.trim())
  if (name.startsWith('urn:')) {
    const whole = keyOf(resource, name)
    if (whole !== undefined) return { key: whole, sub: undefined }
    const at = name.lastIndexOf(':')
    const ext = keyOf(resource, name.slice(0, at))
    return ext === undefined ? null : { key: ext, sub: name.slice(at + 1) }
  }
  const [top, sub] = name.split('.', 2) as [string, string | undefined]
  const key = keyOf(resource, top)
  return key === undefined ? null : { key, sub }
}

const pick = (o: Json, sub: string): Json => Object.fromEntries(Object.entries(o).filter(([k]) => k.toLowerCase() === sub.toLowerCase()))
const drop = (o: Json, sub: string): Json => Object.fromEntries(Object.entries(o).filter(([k]) => k.toLowerCase() !== sub.toLowerCase()))

/** RFC 7644 §3.4.2.5: attributes narrows, excludedAttributes drops; id and schemas always stay. */
export function project (resource: Json, p: Pick<ListParams, 'attributes' | 'excludedAttributes'>): Json {
  if (p.attributes !== null) {
    const keep: Json = {}
    for (const k of ALWAYS) if (k in resource) keep[k] = resource[k]
    for (const raw of p.attributes) {
      const at = locate(resource, raw)
      if (at === null) continue
      const value = resource[at.key]
      if (at.sub === undefined || typeof value !== 'object' || value === null) { keep[at.key] = value; continue }
      const prev = keep[at.key]
      keep[at.key] = Array.isArray(value) ? value.map((v) => pick(v as Json, at.sub ?? '')) : { ...(prev as object ?? {}), ...pick(value as Json, at.sub) }
    }
    return keep
  }
  if (p.excludedAttributes !== null) {
    const out = { ...resource }
    for (const raw of p.excludedAttributes) {
      const at = locate(out, raw)
      if (at === null || ALWAYS.has(at.key)) continue
      const value = out[at.key]
      if (at.sub === undefined) delete out[at.key]
      else if (Array.isArray(value)) out[at.key] = value.map((v) => (typeof v === 'object' && v !== null ? drop(v as Json, at.sub ?? '') : v))
      else if (typeof value === 'object' && value !== null) out[at.key] = drop(value as Json, at.sub)
    }
    return out
  }
  return resource
}

/** listResponse with its resources already JSON texts, put in as they are (the same text a JSON.stringify of listResponse gives). */
export function listResponseText (resources: string[], total: number, page: { startIndex: number }): string {
  const head = JSON.stringify({ schemas: [LIST], totalResults: total, startIndex: page.startIndex, itemsPerPage: resources.length })
  return `${head.slice(0, -1)},"Resources":[${resources.join(',')}]}`
}

export function listResponse (resources: Array<Record<string, unknown>>, total: number, page: { startIndex: number, count: number }): Record<string, unknown> {
  // RFC 7644 §3.4.2.4: count=0 asks for no resources, but §3.4.2 makes Resources REQUIRED whenever
  // totalResults is non-zero: an empty array, so clients that iterate it keep working.
  return { schemas: [LIST], totalResults: total, startIndex: page.startIndex, itemsPerPage: resources.length, Resources: resources }
}
