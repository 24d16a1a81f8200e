import { describe, expect, it } from 'vitest'
import { parseFilter, toWhere } from '../../../src/scim/filter.js'
import { ScimError } from '../../../src/scim/errors.js'

const refused = (f: string): string => {
  try {
    parseFilter(f)
  } catch (err) {
    expect(err).toBeInstanceOf(ScimError)
    expect((err as ScimError).status).toBe(400)
    expect((err as ScimError).scimType).toBe('invalidFilter')
    return (err as ScimError).detail
  }
  throw new Error(`accepted: ${f}`)
}

describe('filters SCIMMY would answer wrongly are refused with 400 invalidFilter', () => {
  it.each([
    'not (userName eq "a@x.io" or userName eq "b@x.io")',
    'not (userName eq "a" and active eq true)',
    '(userName eq "a" or userName eq "b") and not (userName eq "b")',
    'not (emails[type eq "work"])',
    'not userName eq "a"',
    'userName eq "a" and',
    'userName eq "a" or not'
  ])('%s', (f) => { expect(refused(f)).toMatch(/not|ends with|Invalid|Unsupported/) })

  it('refuses filters that would expand exponentially or into hundreds of SQL clauses, quickly', () => {
    const pairs = Array.from({ length: 16 }, (_, i) => `(userName eq "a${i}" or userName eq "b${i}")`).join(' and ')
    const started = Date.now()
    expect(refused(pairs)).toMatch(/too complex/)
    expect(Date.now() - started).toBeLessThan(200)
    const flat = Array.from({ length: 1100 }, (_, i) => `userName eq "u${i}"`).join(' or ')
    expect(refused(flat)).toMatch(/too complex/)
    const six = Array.from({ length: 7 }, (_, i) => `(userName eq "a${i}" or userName eq "b${i}")`).join(' and ')
    expect(refused(six)).toMatch(/more than 64 alternatives/)
  })

  it('keeps what SCIMMY parses correctly, and words inside quoted values do not count', () => {
    expect(toWhere(parseFilter('userName eq "a" and not (active eq true)'), 'user')).toEqual([[
      { attr: 'userName', op: 'eq', value: 'a', negate: false },
      { attr: 'active', op: 'eq', value: true, negate: true }
    ]])
    expect(toWhere(parseFilter('userName eq "not (x or y) and"'), 'user')).toEqual([[{ attr: 'userName', op: 'eq', value: 'not (x or y) and', negate: false }]])
    expect(toWhere(parseFilter('(userName eq "a" or userName eq "b") and active eq true'), 'user')).toHaveLength(2)
    expect(toWhere(parseFilter('emails[type eq "work"].value eq "a@x.io" and not (title eq "x")'), 'user')).toBeNull() // title: no index, evaluated in memory
  })
})
