import { describe, expect, it } from 'vitest'
import { parseFilter, toWhere } from '../../../src/scim/filter.js'

describe('filters of one shape parsed once', () => {
  it('each request gets its own strings back, escapes decoded, whatever came before', () => {
    expect(toWhere(parseFilter('userName eq "first@example.com"'), 'user')).toEqual([[{ attr: 'userName', op: 'eq', value: 'first@example.com', negate: false }]])
    expect(toWhere(parseFilter('userName eq "sec\\"ond@example.com"'), 'user')).toEqual([[{ attr: 'userName', op: 'eq', value: 'sec"ond@example.com', negate: false }]])
    expect(toWhere(parseFilter('userName eq "\\u0041@example.com" or externalId eq "x"'), 'user')).toEqual([
      [{ attr: 'userName', op: 'eq', value: 'A@example.com', negate: false }],
      [{ attr: 'externalId', op: 'eq', value: 'x', negate: false }]
    ])
  })

  it('what a caller does with a parsed filter never reaches the next request of that shape', () => {
    const a = parseFilter('displayName eq "one"') as unknown as Array<Record<string, unknown[]>>
    const first = a[0]
    if (first === undefined) throw new Error('no branch')
    first.displayName?.splice(0, 2, 'ne', 'changed')
    expect(JSON.parse(JSON.stringify(parseFilter('displayName eq "two"')))).toEqual([{ displayName: ['eq', 'two'] }])
  })

  it('a value-dependent check still runs on every request of a cached shape', () => {
    expect(toWhere(parseFilter('meta.created gt "2026-01-01T00:00:00Z"'), 'user')).toHaveLength(1)
    expect(() => parseFilter('meta.created gt "not a date"')).toThrow(/dateTime/)
  })

  it('a shape that cannot be parsed is refused each time, with the request\'s own text', () => {
    expect(() => parseFilter('userName eq "a" and')).toThrow(/ends with "and"/)
    expect(() => parseFilter('userName zz "first"')).toThrow(/invalidFilter|Invalid filter/)
    expect(() => parseFilter('userName zz "second"')).toThrow(/invalidFilter|Invalid filter/)
  })
})
