import { describe, expect, it } from 'vitest'
import { project } from '../../../src/scim/list.js'

const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const user = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', E], id: 'u1', meta: { resourceType: 'User' }, userName: 'ann@x.io', displayName: 'Ann',
  name: { givenName: 'Ann', familyName: 'Lee' }, emails: [{ type: 'work', value: 'ann@x.io', primary: true }],
  [E]: { employeeNumber: '7', department: 'Sales' }
}
const only = (attributes: string[]) => project(user, { attributes, excludedAttributes: null })
const without = (excludedAttributes: string[]) => project(user, { attributes: null, excludedAttributes })

describe('attributes and excludedAttributes (RFC 7644 §3.4.2.5)', () => {
  it('narrows to the named attributes, keeping id, schemas and meta; names are case-insensitive, core URNs allowed', () => {
    expect(Object.keys(only(['USERNAME', 'urn:ietf:params:scim:schemas:core:2.0:User:displayName'])).sort()).toEqual(['displayName', 'id', 'meta', 'schemas', 'userName'])
    expect(only(['name.familyName']).name).toEqual({ familyName: 'Lee' })
    expect(only(['emails.value']).emails).toEqual([{ value: 'ann@x.io' }])
  })

  it('addresses the extension as a whole or by attribute', () => {
    expect(only([E])[E]).toEqual({ employeeNumber: '7', department: 'Sales' })
    expect(only([`${E}:employeeNumber`])[E]).toEqual({ employeeNumber: '7' })
    expect(without([E])[E]).toBeUndefined()
    expect(without([`${E}:department`])[E]).toEqual({ employeeNumber: '7' })
  })

  it('drops sub-attributes of multi-valued attributes too, and never drops id or schemas', () => {
    expect(without(['emails.value']).emails).toEqual([{ type: 'work', primary: true }])
    expect(without(['id', 'schemas']).id).toBe('u1')
    expect(without(['nickName'])).toEqual(user)
  })
})
