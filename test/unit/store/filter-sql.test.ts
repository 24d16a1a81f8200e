import { describe, expect, it } from 'vitest'
import { openSqliteDatabase } from '../../../src/store/sqlite/database.js'
import { orderSql, whereSql } from '../../../src/store/filter-sql.js'
import type { Term } from '../../../src/store/directory-store.js'
import { parseFilter, toWhere } from '../../../src/scim/filter.js'

const db = openSqliteDatabase(':memory:')

function plan (kind: 'user' | 'group', filter: string): string {
  const where = toWhere(parseFilter(filter), kind)
  expect(where).not.toBeNull()
  const p: unknown[] = []
  const base = kind === 'user' ? 'FROM users u WHERE u.deleted_at IS NULL' : 'FROM groups g WHERE 1 = 1'
  const sql = `SELECT * ${base}${whereSql(where, kind, p)}${orderSql({ where, sortBy: null, descending: false, offset: 0, limit: 100 }, kind)} LIMIT 100`
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...p) as Array<{ detail: string }>).map((r) => r.detail).join(' | ')
}

describe('the lookups IdPs send are answered through indexes, never by scanning every row', () => {
  it.each([
    ['user', 'id eq "0190f0c2-0000-7000-8000-000000000000"'],
    ['user', 'userName eq "Ann@Example.com"'],
    ['user', 'externalId eq "00u1abcd"'],
    ['user', 'displayName eq "Ann Lee"'],
    ['user', 'emails.value eq "ann@example.com"'],
    ['user', 'emails[type eq "work"].value eq "ann@example.com"'],
    ['user', 'meta.lastModified eq "2026-01-01T00:00:00Z"'],
    ['user', 'userName eq "a@x.io" or userName eq "b@x.io"'],
    ['group', 'displayName eq "Engineering"'],
    ['group', 'externalId eq "00g1"'],
    ['group', 'members.value eq "0190f0c2-0000-7000-8000-000000000000"']
  ] as Array<['user' | 'group', string]>)('%s: %s', (kind, filter) => {
    const p = plan(kind, filter)
    expect(p).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/)
    expect(p).not.toMatch(/SCAN [ug]\b/)
  })

  it('binds every value as a parameter, never inline', () => {
    const p: unknown[] = []
    const where: Term[][] = [[{ attr: 'userName', op: 'eq', value: "x' OR 1=1 --", negate: false }]]
    expect(whereSql(where, 'user', p)).not.toContain('OR 1=1')
    expect(p).toEqual(["x' or 1=1 --"])
  })
})
