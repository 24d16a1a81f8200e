import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBridge, TEST_TOKEN, type TestBridge } from '../support/bridge.js'
import { decode, rows } from '../support/console-page.js'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'

describe('console: groups that grant nothing, from the directory as it is', () => {
  let t: TestBridge
  const overview = async (): Promise<string> => await (await fetch(`${t.url}/status`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text()
  let userId = ''
  let groupId = ''

  beforeAll(async () => { t = await startTestBridge({ background: false }) })
  afterAll(async () => { await t?.close() })

  it('shows each inert group with its reason and member count; working groups are not listed; the SCIM answers stay 2xx', async () => {
    expect(await overview()).not.toContain('id="inert-groups"')
    const u = await t.scim('POST', '/Users', { schemas: [USER], userName: 'inert@example.com', active: true })
    userId = u.body.id as string
    const unmanaged = await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'sinch:not-managed-prj:ADMIN', members: [{ value: userId }] })
    expect(unmanaged.status).toBe(201)
    groupId = unmanaged.body.id as string
    expect((await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'sinch:p1:OWNER' })).status).toBe(201)
    expect((await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'sinch:p1:ADMIN' })).status).toBe(201)
    expect((await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering' })).status).toBe(201)
    const html = await overview()
    expect(rows(html, 'inert-groups')).toEqual([
      [`sinch:not-managed-prj:ADMIN ${groupId}`, '1', 'project "not-managed-prj" is not in SINCH_PROJECT_IDS'],
      [expect.stringMatching(/^sinch:p1:OWNER /), '0', 'OWNER in "p1" is granted only with ALLOW_OWNER=true']
    ])
    expect(decode(/id="inert-count"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '')).toMatch(/^2 group\(s\) the IdP pushed grant nothing in Sinch/)
    // The member's page says why their group gives them nothing.
    const person = await (await fetch(`${t.url}/status/people/${userId}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text()
    expect(rows(person, 'groups')).toContainEqual(['sinch:not-managed-prj:ADMIN', 'grants nothing: project "not-managed-prj" is not in SINCH_PROJECT_IDS'])
  })

  it('is computed from the stored groups: still there after a restart, gone once the group is renamed to a working grant', async () => {
    // A new process on the same database remembers no warning it logged: the panel reads the groups.
    const { databaseUrl, dataDir } = t.bridge.config
    await t.close()
    t = await startTestBridge({ background: false, env: { DATABASE_URL: databaseUrl, DATA_DIR: dataDir } })
    expect(rows(await overview(), 'inert-groups').map((r) => r[0]?.split(' ')[0])).toEqual(['sinch:not-managed-prj:ADMIN', 'sinch:p1:OWNER'])
    const renamed = await t.scim('PUT', `/Groups/${groupId}`, { schemas: [GROUP], displayName: 'sinch:p2:ADMIN', members: [{ value: userId }] })
    expect(renamed.status).toBe(200)
    expect(rows(await overview(), 'inert-groups').map((r) => r[0]?.split(' ')[0])).toEqual(['sinch:p1:OWNER'])
  })
})
