import { describe, expect, it } from 'vitest'
import { createRoleCatalogue } from '../../../src/provisioning/role-catalogue.js'
import { ScimError } from '../../../src/scim/errors.js'
import { listParams } from '../../../src/scim/list.js'
import { checkAssignedRoles, listRoles } from '../../../src/scim/role-resource.js'

const catalogue = createRoleCatalogue({ managedProjects: ['p1', 'p2'], allowOwner: false })
const page = (q: Record<string, string>): { total: number, ids: unknown[] } => {
  const { total, resources } = listRoles(catalogue, listParams(q), 'https://b.example/scim/v2')
  return { total, ids: resources.map((r) => r.id) }
}

describe('listRoles', () => {
  it('pages past the end, with count=0, and by filter, always counting the whole match', () => {
    expect(page({ startIndex: '6', count: '5' })).toEqual({ total: 6, ids: ['p2:ADMIN'] })
    expect(page({ startIndex: '9' })).toEqual({ total: 6, ids: [] })
    expect(page({ count: '0' })).toEqual({ total: 6, ids: [] })
    expect(page({ filter: 'value sw "p2:" and not (displayName co "read")' })).toEqual({ total: 2, ids: ['p2:MEMBER', 'p2:ADMIN'] })
    // value is caseExact: a lower-cased value is another value.
    expect(page({ filter: 'value eq "p1:admin"' })).toEqual({ total: 0, ids: [] })
  })

  it('refuses a filter on an attribute roles do not have, or one that does not parse, as invalidFilter', () => {
    for (const filter of ['members eq "x"', 'value eq']) {
      let err: unknown
      try { page({ filter }) } catch (e) { err = e }
      expect(err, filter).toBeInstanceOf(ScimError)
      expect((err as ScimError).scimType, filter).toBe('invalidFilter')
    }
  })
})

describe('checkAssignedRoles', () => {
  it('names every unknown value, accepts catalogue values and displays, and checks nothing without a catalogue', () => {
    expect(() => checkAssignedRoles({ roles: [{ value: 'p1:ADMIN' }, { value: 'p2 — Member' }, { value: '' }] }, catalogue)).not.toThrow()
    expect(() => checkAssignedRoles({ roles: [{ value: 'Admin' }, { value: 'p3:ADMIN' }] }, catalogue)).toThrow('roles: "Admin", "p3:ADMIN" are not Sinch roles this bridge offers (GET /Roles lists them)')
    expect(() => checkAssignedRoles({ roles: [{ value: 'Admin' }] }, undefined)).not.toThrow()
  })
})
