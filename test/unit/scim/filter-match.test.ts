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
})
