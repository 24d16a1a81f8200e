import { describe, expect, it } from 'vitest'
import { groupChange, identityChanged } from '../../../src/store/affected.js'

const g = (memberIds: string[], displayName = 'G', externalId: string | null = null): { displayName: string, externalId: string | null, memberIds: string[] } => ({ displayName, externalId, memberIds })

describe('which users a directory write affects', () => {
  it('a created group affects its members, a deleted one its former members, once each', () => {
    expect(groupChange(null, g(['a', 'b', 'a']))).toEqual({ removed: [], added: ['a', 'b'], affected: ['a', 'b'] })
    expect(groupChange(g(['a', 'b']), null)).toEqual({ removed: ['a', 'b'], added: [], affected: ['a', 'b'] })
  })

  it('a membership change affects the removed and the added, not those who stay', () => {
    expect(groupChange(g(['a', 'b', 'c']), g(['b', 'c', 'd']))).toEqual({ removed: ['a'], added: ['d'], affected: ['a', 'd'] })
    expect(groupChange(g(['a']), g(['a'])).affected).toEqual([])
  })

  it('a new displayName or externalId affects every member before and after (grants follow names)', () => {
    expect(groupChange(g(['a', 'b']), g(['b', 'c'], 'H')).affected).toEqual(['a', 'b', 'c'])
    expect(groupChange(g(['a'], 'G', null), g(['a'], 'G', 'x')).affected).toEqual(['a'])
  })

  it('a user change matters only when userName (any case), active, emails or assigned roles change', () => {
    const u = { userName: 'Ann@x.io', active: true, emails: [{ value: 'ann@x.io' }], resource: { title: 'a', roles: [{ value: 'p1:ADMIN' }] } }
    expect(identityChanged(u, { ...u, resource: { title: 'b', roles: [{ value: 'p1:ADMIN', display: 'Admin' }] } })).toBe(false)
    expect(identityChanged(u, { ...u, resource: { roles: [] } })).toBe(true)
    expect(identityChanged(u, { ...u, userName: 'ann@X.IO' })).toBe(false)
    expect(identityChanged(u, { ...u, active: false })).toBe(true)
    expect(identityChanged(u, { ...u, emails: [] })).toBe(true)
    expect(identityChanged(u, { ...u, userName: 'bob@x.io' })).toBe(true)
  })
})
