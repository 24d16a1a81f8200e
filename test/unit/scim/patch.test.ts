import { describe, expect, it } from 'vitest'
import { patchGroup, patchUser } from '../../../src/scim/patch.js'
import { ScimError } from '../../../src/scim/errors.js'
import type { GroupRecord, UserRecord } from '../../../src/store/types.js'

const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const user: UserRecord = {
  id: 'u1', userName: 'ann@x.io', externalId: 'e1', displayName: 'Ann', active: true,
  emails: [{ value: 'ann@x.io', type: 'work', primary: true }],
  resource: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ann@x.io', displayName: 'Ann', name: { givenName: 'Ann', familyName: 'Lee' }, emails: [{ value: 'ann@x.io', type: 'work', primary: true }], active: true },
  version: 1, created: '2026-01-01T00:00:00Z', lastModified: '2026-01-01T00:00:00Z'
}
const patch = async (...ops: unknown[]): Promise<Awaited<ReturnType<typeof patchUser>>> => await patchUser(user, { schemas: [P], Operations: ops })
const fails = async (ops: unknown[], scimType: string): Promise<void> => {
  const err = await patchUser(user, { schemas: [P], Operations: ops }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(ScimError)
  expect((err as ScimError).scimType).toBe(scimType)
}

describe('patchUser', () => {
  it('replaces scalars and sub-attributes, case-insensitively named', async () => {
    const r = await patch({ op: 'replace', path: 'NAME.givenname', value: 'Annie' }, { op: 'Add', path: 'displayName', value: 'A. Lee' })
    expect(r.resource.name).toEqual({ givenName: 'Annie', familyName: 'Lee' })
    expect(r.displayName).toBe('A. Lee')
    expect(user.resource.displayName).toBe('Ann')
  })

  it('reads Entra string booleans and keeps active when not mentioned', async () => {
    expect((await patch({ op: 'Replace', path: 'active', value: 'False' })).active).toBe(false)
    expect((await patch({ op: 'replace', path: 'title', value: 'CTO' })).active).toBe(true)
  })

  it('refuses wrong types, read-only targets and unknown paths with the right scimType', async () => {
    await fails([{ op: 'replace', path: 'active', value: 'maybe' }], 'invalidValue')
    await fails([{ op: 'replace', path: 'id', value: 'x' }], 'mutability')
    await fails([{ op: 'replace', path: 'groups', value: [{ value: 'g' }] }], 'mutability')
    await fails([{ op: 'replace', path: 'doesNotExist', value: 'x' }], 'invalidPath')
    await fails([{ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }], 'mutability')
  })

  it('scalar fast path: a value of the wrong JSON type is still refused, and nothing is half-applied', async () => {
    await fails([{ op: 'replace', path: 'displayName', value: 42 }], 'invalidValue')
    await fails([{ op: 'replace', path: 'name.givenName', value: true }], 'invalidValue')
    await fails([{ op: 'replace', path: 'title', value: 'CTO' }, { op: 'replace', path: 'active', value: 'maybe' }], 'invalidValue')
    expect(user.resource).not.toHaveProperty('title')
  })

  it('handles no-path objects, removals, value filters and the enterprise extension', async () => {
    const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
    const r = await patch({ op: 'replace', value: { 'name.familyName': 'Kim', [`${E}:department`]: 'Ops' } }, { op: 'remove', path: 'displayName' }, { op: 'replace', path: 'emails[type eq "work"].value', value: 'kim@x.io' })
    expect(r.resource.name).toEqual({ givenName: 'Ann', familyName: 'Kim' })
    expect(r.resource[E]).toEqual({ department: 'Ops' })
    expect(r.displayName).toBeNull()
    expect(r.emails).toEqual([{ value: 'kim@x.io', type: 'work', primary: true }])
  })

  it('an empty Operations list changes nothing; a missing one is invalidSyntax', async () => {
    expect((await patch()).resource).toEqual({ ...user.resource, active: true })
    await expect(patchUser(user, { schemas: [P] })).rejects.toMatchObject({ scimType: 'invalidSyntax' })
  })
})

describe('patchGroup', () => {
  const group: GroupRecord = { id: 'g1', displayName: 'Eng', externalId: null, memberIds: ['a', 'b'], resource: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Eng' }, version: 1, created: '', lastModified: '' }
  it('adds, removes in both shapes, ignores removing a non-member, renames with an id in the value', async () => {
    const r = await patchGroup(group, { schemas: [P], Operations: [
      { op: 'replace', value: { id: 'g1', displayName: 'Engineering' } },
      { op: 'Add', path: 'members', value: [{ value: 'c' }, { value: 'a' }] },
      { op: 'Remove', path: 'members', value: [{ value: 'b' }] },
      { op: 'remove', path: 'members[value eq "zzz"]' },
      { op: 'remove', path: 'members[value eq "a"]' }
    ] })
    expect(r.displayName).toBe('Engineering')
    expect(r.memberIds).toEqual(['c'])
  })
})

describe('Entra typed value paths that match nothing create the element', () => {
  it.each([
    ['emails[type eq "home"].value', 'ann@home.example', 'emails', { type: 'home', value: 'ann@home.example' }],
    ['phoneNumbers[type eq "mobile"].value', '+15551234', 'phoneNumbers', { type: 'mobile', value: '+15551234' }],
    ['addresses[type eq "work"].streetAddress', '1 Main St', 'addresses', { type: 'work', streetAddress: '1 Main St' }]
  ])('%s', async (path, value, attr, element) => {
    const r = await patch({ op: 'Add', path, value })
    expect(r.resource[attr]).toEqual(expect.arrayContaining([element]))
  })

  it('an existing element of that type is replaced in place, not duplicated', async () => {
    const r = await patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@x.io' })
    expect(r.emails).toEqual([{ value: 'new@x.io', type: 'work', primary: true }])
  })
})
