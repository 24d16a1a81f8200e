import type { CompareOp, Query, Term, Where } from './directory-store.js'

/** Column per attribute; `lc` columns hold lower-cased values (caseExact=false, RFC 7643 §4.1). */
const USER_COLUMNS: Record<string, { col: string, lc: boolean }> = {
  id: { col: 'u.id', lc: false },
  userName: { col: 'u.user_name_lc', lc: true },
  externalId: { col: 'u.external_id', lc: false },
  displayName: { col: 'u.display_name_lc', lc: true },
  'meta.lastModified': { col: 'u.last_modified', lc: false },
  'meta.created': { col: 'u.created', lc: false }
}
const GROUP_COLUMNS: Record<string, { col: string, lc: boolean }> = {
  id: { col: 'g.id', lc: false },
  displayName: { col: 'g.display_name_lc', lc: true },
  externalId: { col: 'g.external_id', lc: false },
  'meta.lastModified': { col: 'g.last_modified', lc: false },
  'meta.created': { col: 'g.created', lc: false }
}

/** What differs between SQLite and PostgreSQL in a WHERE clause. */
export interface Dialect {
  /** Adds a parameter and returns its placeholder (`?` or `$n`). */
  param (params: unknown[], value: unknown): string
  contains (col: string, p: string): string
  startsWith (col: string, p: string): string
  endsWith (col: string, p: string): string
  bool (v: boolean): unknown
}

export const SQLITE_DIALECT: Dialect = {
  param: (params, value) => { params.push(value); return '?' },
  contains: (col, p) => `instr(${col}, ${p}) > 0`,
  startsWith: (col, p) => `substr(${col}, 1, length(${p})) = ${p}`,
  endsWith: (col, p) => `substr(${col}, -length(${p})) = ${p}`,
  bool: (v) => (v ? 1 : 0)
}

export const POSTGRES_DIALECT: Dialect = {
  param: (params, value) => { params.push(value); return `$${params.length}` },
  contains: (col, p) => `strpos(${col}, ${p}) > 0`,
  startsWith: (col, p) => `left(${col}, length(${p})) = ${p}`,
  endsWith: (col, p) => `right(${col}, length(${p})) = ${p}`,
  bool: (v) => v
}

let dialect: Dialect = SQLITE_DIALECT

function compare (col: string, op: CompareOp, params: unknown[], value: unknown): string {
  if (op === 'pr') return `(${col} IS NOT NULL AND ${col} <> '')`
  // SQLite binds a placeholder per use; PostgreSQL's numbered one can be reused.
  const p = (): string => dialect.param(params, value)
  switch (op) {
    case 'eq': return `${col} = ${p()}`
    case 'ne': return `(${col} IS NULL OR ${col} <> ${p()})`
    case 'co': return dialect.contains(col, p())
    case 'sw': return dialect === SQLITE_DIALECT ? `substr(${col}, 1, length(${p()})) = ${p()}` : dialect.startsWith(col, p())
    case 'ew': return dialect === SQLITE_DIALECT ? `substr(${col}, -length(${p()})) = ${p()}` : dialect.endsWith(col, p())
    case 'gt': return `${col} > ${p()}`
    case 'ge': return `${col} >= ${p()}`
    case 'lt': return `${col} < ${p()}`
    case 'le': return `${col} <= ${p()}`
  }
}

function normalise (t: Term, lc: boolean): unknown {
  if (t.attr.startsWith('meta.') && typeof t.value === 'string') {
    const ms = Date.parse(t.value)
    return Number.isNaN(ms) ? t.value : new Date(ms).toISOString()
  }
  return lc && typeof t.value === 'string' ? t.value.toLowerCase() : t.value
}

function term (t: Term, kind: 'user' | 'group', params: unknown[]): string {
  let sql: string
  if (kind === 'user' && t.attr === 'emails.value') {
    const cond = compare('e.value_lc', t.op, params, typeof t.value === 'string' ? t.value.toLowerCase() : t.value)
    const typeCond = t.emailType === undefined ? '' : ` AND e.type_lc = ${dialect.param(params, t.emailType.toLowerCase())}`
    // IN, not a correlated EXISTS: the planner then starts from the value index, not a scan of users.
    sql = `u.id IN (SELECT e.user_id FROM user_emails e WHERE ${cond}${typeCond})`
  } else if (kind === 'user' && t.attr === 'active') {
    if (t.op === 'pr') {
      sql = '1 = 1'
    } else {
      const p = dialect.param(params, dialect.bool(t.value === true))
      sql = t.op === 'ne' ? `u.active <> ${p}` : `u.active = ${p}`
    }
  } else if (kind === 'group' && t.attr === 'members.value') {
    const cond = compare('m.user_id', t.op, params, t.value)
    sql = `g.id IN (SELECT m.group_id FROM group_members m WHERE ${cond})`
  } else {
    const c = (kind === 'user' ? USER_COLUMNS : GROUP_COLUMNS)[t.attr]
    if (c === undefined) throw new Error(`attribute ${t.attr} cannot be answered by an index`)
    sql = compare(c.col, t.op, params, normalise(t, c.lc))
  }
  return t.negate ? `NOT (${sql})` : sql
}

export function whereSql (where: Where | null, kind: 'user' | 'group', params: unknown[], d: Dialect = SQLITE_DIALECT): string {
  dialect = d
  if (where === null || where.length === 0) return ''
  return ' AND (' + where.map((clause) => '(' + clause.map((t) => term(t, kind, params)).join(' AND ') + ')').join(' OR ') + ')'
}

export function orderSql (q: Query, kind: 'user' | 'group'): string {
  const alias = kind === 'user' ? 'u' : 'g'
  const dir = q.descending ? 'DESC' : 'ASC'
  const col = q.sortBy === null ? null : (kind === 'user' ? USER_COLUMNS : GROUP_COLUMNS)[q.sortBy]?.col
  return col === undefined || col === null ? ` ORDER BY ${alias}.seq ${dir}` : ` ORDER BY ${col} ${dir}, ${alias}.seq ASC`
}

/**
 * The total a page implies on its own: a short page (fewer rows than asked for, not empty past
 * the start) ends the result, so the count query is needed only for full or empty-past-the-start
 * pages. Most IdP lookups (`userName eq`) return a short first page.
 */
export function totalFromPage (offset: number, limit: number, rows: number): number | null {
  if (limit > 0 && rows < limit && (rows > 0 || offset === 0)) return offset + rows
  return null
}
