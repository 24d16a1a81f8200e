import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBridge, type TestBridge } from '../support/bridge.js'

const U = 'urn:ietf:params:scim:schemas:core:2.0:User'
const G = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

describe('group renames and deletes re-plan their members, over real HTTP', () => {
  let t: TestBridge
  let userId = ''
  let groupId = ''
  // Defaults: p1 only, so p2 access comes from the group alone.
  beforeAll(async () => { t = await startTestBridge({ env: { SINCH_DEFAULT_PROJECT_IDS: 'p1' } }) })
  afterAll(async () => { await t.close() })

  const roleIn = async (p: string): Promise<string | null> => (await t.simControl.members(p)).find((m) => m.email === 'gina@example.com')?.role ?? null

  it('a group named by the convention grants its role to its members', async () => {
    userId = (await t.scim('POST', '/Users', { schemas: [U], userName: 'gina@example.com', active: true })).body.id
    const g = await t.scim('POST', '/Groups', { schemas: [G], displayName: 'sinch:p2:ADMIN', members: [{ value: userId }] })
    expect(g.status).toBe(201)
    groupId = g.body.id
    expect([await roleIn('p1'), await roleIn('p2')]).toEqual(['MEMBER', 'ADMIN'])
  })

  it('renaming it to a name that grants nothing takes the role away; renaming back gives it again, in place', async () => {
    const before = (await t.simControl.members('p1')).find((m) => m.email === 'gina@example.com')?.user_id
    expect((await t.scim('PATCH', `/Groups/${groupId}`, { schemas: [P], Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Engineering' } }] })).status).toBe(200)
    expect([await roleIn('p1'), await roleIn('p2')]).toEqual(['MEMBER', null])
    expect((await t.scim('PATCH', `/Groups/${groupId}`, { schemas: [P], Operations: [{ op: 'replace', path: 'displayName', value: 'sinch:p2:READONLY' }] })).status).toBe(200)
    expect(await roleIn('p2')).toBe('READONLY')
    // p1 was never touched by the renames.
    expect((await t.simControl.members('p1')).find((m) => m.email === 'gina@example.com')?.user_id).toBe(before)
  })

  it('deleting the group removes what it granted and nothing else', async () => {
    expect((await t.scim('DELETE', `/Groups/${groupId}`)).status).toBe(204)
    expect([await roleIn('p1'), await roleIn('p2')]).toEqual(['MEMBER', null])
    const audit = await t.bridge.store.listAudit({ scimUserId: userId, limit: 50 })
    expect(audit.filter((a) => a.projectId === 'p2').map((a) => a.action).reverse()).toEqual(['invite', 'remove', 'invite', 'remove'])
  })
})
