import type { CompareOp, Query, Term, Where } from '../directory-store.js'

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

function compare (col: string, op: CompareOp, params: unknown[], value: unknown): string {
  if (op === 'pr') return `(${col} IS NOT NULL AND ${col} <> '')`
  params.push(value)
  switch (op) {
    case 'eq': return `${col} = ?`
    case 'ne': return `(${col} IS NULL OR ${col} <> ?)`
    case 'co': return `instr(${col}, ?) > 0`
    case 'sw': params.push(value); return `substr(${col}, 1, length(?)) = ?`
    case 'ew': params.push(value); return `substr(${col}, -length(?)) = ?`
    case 'gt': return `${col} > ?`
    case 'ge': return `${col} >= ?`
    case 'lt': return `${col} < ?`
    case 'le': return `${col} <= ?`
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
    const p: unknown[] = []
    const typeCond = t.emailType === undefined ? '' : ' AND e.type_lc = ?'
    const cond = compare('e.value_lc', t.op, p, typeof t.value === 'string' ? t.value.toLowerCase() : t.value)
    params.push(...p)
    if (t.emailType !== undefined) params.push(t.emailType.toLowerCase())
    sql = `EXISTS (SELECT 1 FROM user_emails e WHERE e.user_id = u.id AND ${cond}${typeCond})`
  } else if (kind === 'user' && t.attr === 'active') {
    if (t.op === 'pr') {
      sql = '1 = 1'
    } else {
      params.push(t.value === true ? 1 : 0)
      sql = t.op === 'ne' ? 'u.active <> ?' : 'u.active = ?'
    }
  } else if (kind === 'group' && t.attr === 'members.value') {
    const p: unknown[] = []
    const cond = compare('m.user_id', t.op, p, t.value)
    params.push(...p)
    sql = `EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND ${cond})`
  } else {
    const c = (kind === 'user' ? USER_COLUMNS : GROUP_COLUMNS)[t.attr]
    if (c === undefined) throw new Error(`attribute ${t.attr} cannot be answered by an index`)
    sql = compare(c.col, t.op, params, normalise(t, c.lc))
  }
  return t.negate ? `NOT (${sql})` : sql
}

export function whereSql (where: Where | null, kind: 'user' | 'group', params: unknown[]): string {
  if (where === null || where.length === 0) return ''
  return ' AND (' + where.map((clause) => '(' + clause.map((t) => term(t, kind, params)).join(' AND ') + ')').join(' OR ') + ')'
}

export function orderSql (q: Query, kind: 'user' | 'group'): string {
  const alias = kind === 'user' ? 'u' : 'g'
  const dir = q.descending ? 'DESC' : 'ASC'
  const col = q.sortBy === null ? null : (kind === 'user' ? USER_COLUMNS : GROUP_COLUMNS)[q.sortBy]?.col
  return col === undefined || col === null ? ` ORDER BY ${alias}.seq ${dir}` : ` ORDER BY ${col} ${dir}, ${alias}.seq ASC`
}
