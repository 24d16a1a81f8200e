import { describe, expect, it } from 'vitest'
import { parseFilter } from '../../../src/scim/filter.js'
import { createMatcher } from '../../../src/scim/filter-match.js'
import { groupDefinition, userDefinition } from '../../../src/scim/setup.js'

const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const ann = {
  id: 'u1', userName: 'Ann@Example.com', externalId: 'AbC', title: 'Head of Ops', name: { givenName: 'Ann', familyName: 'Lee' },
  emails: [{ type: 'work', value: 'Ann@Example.com' }, { type: 'home', value: 'ann@home.example' }],
  [E]: { employeeNumber: 'E-7', department: 'Sales', manager: { value: 'm1' } }
}
const matches = (filter: string, resource: Record<string, unknown> = ann, def = userDefinition()): boolean => createMatcher(parseFilter(filter), def)(resource)

describe('in-memory filter evaluation follows the schema', () => {
  it('compares caseExact=false attributes case-insensitively, caseExact ones exactly (RFC 7643 §2.2)', () => {
    expect(matches('name.givenName eq "ann"')).toBe(true)
    expect(matches('title co "OPS"')).toBe(true)
    expect(matches('title sw "head"')).toBe(true)
    expect(matches('externalId eq "abc" and title pr')).toBe(false)
    expect(matches('externalId eq "AbC" and title pr')).toBe(true)
  })

  it('looks inside the enterprise extension, with and without a sub-attribute', () => {
    expect(matches(`${E}:employeeNumber eq "e-7"`)).toBe(true)
    expect(matches(`${E}:department eq "Marketing"`)).toBe(false)
    expect(matches(`${E}:manager.value eq "m1"`)).toBe(true)
    expect(matches(`${E}:employeeNumber pr and name.familyName eq "LEE"`)).toBe(true)
  })

  it('value filters bind to one element; a missing parent simply does not match', () => {
    expect(matches('emails[type eq "HOME" and value ew "home.example"] and title pr')).toBe(true)
    expect(matches('emails[type eq "work" and value ew "home.example"] and title pr')).toBe(false)
    expect(matches('name.givenName eq "ann"', { id: 'u2', userName: 'x' })).toBe(false)
  })

  it('works for groups too', () => {
    expect(matches('displayName sw "ENG" and members.value eq "u1"', { id: 'g1', displayName: 'Engineering', members: [{ value: 'u1' }] }, groupDefinition())).toBe(true)
  })

  it('pr on multi-valued and complex attributes, and not (… pr): present means some non-empty value', () => {
    const g = groupDefinition()
    const full = { id: 'g1', displayName: 'Eng', members: [{ value: 'u1' }] }
    const empty = { id: 'g2', displayName: 'Empty', members: [] }
    expect([matches('members pr', full, g), matches('members pr', empty, g), matches('members pr', { id: 'g3', displayName: 'X' }, g)]).toEqual([true, false, false])
    expect([matches('not (members pr)', full, g), matches('not (members pr)', empty, g)]).toEqual([false, true])
    expect(matches('emails pr')).toBe(true)
    expect(matches('emails pr', { id: 'u2', userName: 'x', emails: [{ value: '' }] })).toBe(false)
    expect(matches('name pr')).toBe(true)
    expect(matches('name pr', { id: 'u2', userName: 'x', name: {} })).toBe(false)
    expect(matches('members.value pr', empty, g)).toBe(false)
  })

  it('a negated comparison holds for no value of a multi-valued attribute; a missing one never matches a positive one', () => {
    expect(matches('not (emails.value eq "ann@home.example")')).toBe(false)
    expect(matches('not (emails.value eq "nobody@x.io")')).toBe(true)
    expect(matches('not (name.givenName eq "ann")', { id: 'u2', userName: 'x' })).toBe(true)
    expect(matches('emails.value eq "ann@home.example"')).toBe(true)
    expect(matches('emails eq "ann@home.example"')).toBe(true) // a complex value compares its "value"
    expect(matches('nickName eq "a"')).toBe(false)
    expect(matches('title ne "Head of Ops"')).toBe(false)
    expect(matches('title ne "Intern"')).toBe(true)
  })

  it('dates compare in time, numbers as numbers, booleans exactly', () => {
    const r = { id: 'u3', userName: 'x', active: true, meta: { lastModified: '2026-03-01T10:00:00.000Z' }, [E]: { employeeNumber: '9' } }
    expect(matches('meta.lastModified gt "2026-03-01T09:00:00Z"', r)).toBe(true)
    expect(matches('meta.lastModified gt "2026-03-01T11:00:00+02:00"', r)).toBe(true) // 09:00Z
    expect(matches('meta.lastModified lt "2026-03-01T11:00:00+02:00"', r)).toBe(false)
    expect(matches('active eq true', r)).toBe(true)
    expect(matches('active eq false', r)).toBe(false)
  })
})
