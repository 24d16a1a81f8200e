import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBridge, type TestBridge } from '../support/bridge.js'
import { SINCH_USER } from '../support/urns.js'

const U = 'urn:ietf:params:scim:schemas:core:2.0:User'
const G = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

describe('roles assigned directly in the IdP change the Sinch role, over real HTTP against the simulator', () => {
  let t: TestBridge
  let userId = ''
  // Defaults: MEMBER in p1 only; p2 access comes from a group or an assigned role.
  beforeAll(async () => { t = await startTestBridge({ env: { SINCH_DEFAULT_PROJECT_IDS: 'p1' } }) })
  afterAll(async () => { await t.close() })

  const member = async (p: string): Promise<{ role: string, user_id: string } | undefined> => (await t.simControl.members(p)).find((m) => m.email === 'rhea@example.com')
  const invites = async (): Promise<number> => [...(await t.simControl.inviteCounts()).entries()].filter(([k]) => k.endsWith('|rhea@example.com')).reduce((n, [, c]) => n + c, 0)

  it('/Roles serves the catalogue of the configured projects', async () => {
    const roles = await t.scim('GET', '/Roles')
    expect(roles.status).toBe(200)
    expect(roles.body.Resources.map((r: { id: string }) => r.id)).toEqual(['p1:READONLY', 'p1:MEMBER', 'p1:ADMIN', 'p2:READONLY', 'p2:MEMBER', 'p2:ADMIN'])
  })

  it('an assigned ADMIN raises the default MEMBER in place: same Sinch member, no second invite', async () => {
    const created = await t.scim('POST', '/Users', { schemas: [U], userName: 'rhea@example.com', active: true })
    expect(created.status).toBe(201)
    userId = created.body.id
    const before = await member('p1')
    expect(before?.role).toBe('MEMBER')
    const r = await t.scim('PATCH', `/Users/${userId}`, { schemas: [P], Operations: [{ op: 'add', path: 'roles', value: [{ value: 'p1:ADMIN' }] }] })
    expect(r.status).toBe(200)
    const after = await member('p1')
    expect(after).toMatchObject({ role: 'ADMIN', user_id: before?.user_id })
    expect(await invites()).toBe(1)
    // Why this role: the audit names the assignment.
    const audit = await t.bridge.store.listAudit({ scimUserId: userId, projectId: 'p1', limit: 5 })
    expect(audit[0]).toMatchObject({ action: 'role', fromRole: 'MEMBER', toRole: 'ADMIN', rule: 'assigned role "p1:ADMIN"' })
    expect(r.body[SINCH_USER].projects.find((p: { projectId: string }) => p.projectId === 'p1')).toMatchObject({ role: 'ADMIN', grantedBy: 'assigned role "p1:ADMIN"' })
  })

  it('removing it lowers the role to the next grant; where only the assignment granted, access goes', async () => {
    const group = await t.scim('POST', '/Groups', { schemas: [G], displayName: 'sinch:p2:READONLY', members: [{ value: userId }] })
    expect(group.status).toBe(201)
    expect((await t.scim('PATCH', `/Users/${userId}`, { schemas: [P], Operations: [{ op: 'add', path: 'roles', value: [{ value: 'p2:ADMIN' }] }] })).status).toBe(200)
    expect((await member('p2'))?.role).toBe('ADMIN')
    const p2Member = (await member('p2'))?.user_id
    expect((await t.scim('PATCH', `/Users/${userId}`, { schemas: [P], Operations: [{ op: 'remove', path: 'roles[value eq "p2:ADMIN"]' }, { op: 'remove', path: 'roles[value eq "p1:ADMIN"]' }] })).status).toBe(200)
    expect(await member('p1')).toMatchObject({ role: 'MEMBER' })
    expect(await member('p2')).toMatchObject({ role: 'READONLY', user_id: p2Member })
    const why = Object.fromEntries((await t.scim('GET', `/Users/${userId}`)).body[SINCH_USER].projects.map((p: { projectId: string, grantedBy: string }) => [p.projectId, p.grantedBy]))
    expect(why).toEqual({ p1: 'default projects', p2: 'group "sinch:p2:READONLY" (naming convention)' })
  })

  it('an unknown value is 400 invalidValue naming it and changes nothing, in the directory or in Sinch', async () => {
    const calls = (await t.simControl.requests()).length
    const r = await t.scim('PATCH', `/Users/${userId}`, { schemas: [P], Operations: [{ op: 'add', path: 'roles', value: [{ value: 'p1:ADMIN' }, { value: 'p3:ADMIN' }] }] })
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('"p3:ADMIN"') })
    expect((await t.scim('GET', `/Users/${userId}`)).body.roles ?? []).toEqual([])
    expect(await member('p1')).toMatchObject({ role: 'MEMBER' })
    expect((await t.simControl.requests()).length).toBe(calls)
  })

  it('a role value no longer in the catalogue never blocks a later write, and offboarding always goes through', async () => {
    // A value the catalogue dropped (a project no longer managed) sits in the stored user: written
    // beneath the SCIM layer, as a configuration change would leave it.
    const stored = await t.bridge.store.getUser(userId)
    if (stored === null) throw new Error('user missing')
    const { userName, externalId, displayName, active, emails, resource } = stored
    await t.bridge.store.updateUser(userId, { userName, externalId, displayName, active, emails, resource: { ...resource, roles: [{ value: 'gone:ADMIN' }] } }, null)
    const renamed = await t.scim('PATCH', `/Users/${userId}`, { schemas: [P], Operations: [{ op: 'replace', path: 'displayName', value: 'Rhea' }] })
    expect(renamed.status).toBe(200)
    // A new unknown value on an offboarding write is no reason to keep access.
    const off = await t.scim('PATCH', `/Users/${userId}`, { schemas: [P], Operations: [{ op: 'add', path: 'roles', value: [{ value: 'p9:ADMIN' }] }, { op: 'replace', path: 'active', value: false }] })
    expect(off.status).toBe(200)
    expect(await member('p1')).toBeUndefined()
    expect(await member('p2')).toBeUndefined()
  })
})
