import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBridge, TEST_TOKEN, type TestBridge } from '../support/bridge.js'
import { SINCH_USER } from '../support/urns.js'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
/** The dashboard's role names (Sinch community articles), mapped onto the bridge's ranked roles. */
const NAMES = { OWNER: 'Owner', ADMIN: 'Administrator', MEMBER: 'Member', READONLY: 'Limited member' }

describe('role vocabulary (SINCH_ROLE_MAP) and roles the bridge does not know (v1, auto)', () => {
  let t: TestBridge
  beforeAll(async () => {
    t = await startTestBridge({
      apiStyle: 'v1',
      simulator: { roleNames: NAMES },
      env: { SINCH_API_STYLE: 'auto', SINCH_DEFAULT_PROJECT_IDS: 'p1', SINCH_ROLE_MAP: Object.entries(NAMES).map(([k, v]) => `${k}=${v}`).join(',') },
      background: false
    })
    // Roles the API cannot grant, set "in the dashboard": one unmanaged, one whose email a SCIM user has.
    await t.simControl.call('POST', 'seed', { members: [{ project_id: 'p1', email: 'helper@x.io', role: 'Support member' }, { project_id: 'p1', email: 'sam@x.io', role: 'User manager' }] })
    t.bridge.startBackground()
  })
  afterAll(async () => { await t.close() })

  const inSim = async (email: string): Promise<string | undefined> => (await t.simControl.members('p1')).find((m) => m.email === email)?.role

  it('invites and promotes with the account\'s names', async () => {
    const ann = await t.scim('POST', '/Users', { schemas: [USER], userName: 'ann@x.io', active: true })
    expect(ann.status).toBe(201)
    expect(await inSim('ann@x.io')).toBe('Member')
    expect(ann.body[SINCH_USER]?.projects).toMatchObject([{ projectId: 'p1', role: 'MEMBER', status: 'PENDING' }])
    await t.simControl.call('POST', 'invites/accept', {})
    const group = await t.scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'sinch:p1:ADMIN', members: [{ value: ann.body.id }] })
    expect(group.status).toBe(201)
    expect(await inSim('ann@x.io')).toBe('Administrator')
    const patches = (await t.simControl.requests()).filter((r) => r.method === 'PATCH')
    expect(patches.map((r) => r.body)).toEqual([{ role: 'Administrator' }])
  })

  it('a member with a role nobody mapped is kept as UNKNOWN and never changed: not on create, not on deactivation', async () => {
    const sam = await t.scim('POST', '/Users', { schemas: [USER], userName: 'sam@x.io', active: true })
    expect(sam.status).toBe(201)
    const off = await t.scim('PATCH', `/Users/${String(sam.body.id)}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })
    expect(off.status).toBe(200)
    expect(await inSim('sam@x.io')).toBe('User manager')
    const samId = (await t.simControl.members('p1')).find((m) => m.email === 'sam@x.io')?.user_id ?? ''
    expect(samId).not.toBe('')
    const touched = (await t.simControl.requests()).filter((r) => (r.method === 'PATCH' || r.method === 'DELETE') && r.path.includes(`/members/${samId}`))
    expect(touched).toHaveLength(0)
    const read = await t.scim('GET', `/Users/${String(sam.body.id)}`)
    // Not taken over either: a role the bridge cannot rank cannot pass ADOPT_EXISTING's check.
    const p1 = (read.body[SINCH_USER]?.projects as Array<{ projectId: string, role: string | null, pendingError: string | null }>).find((p) => p.projectId === 'p1')
    expect(p1?.role).toBeNull()
    expect(p1?.pendingError).toMatch(/UNKNOWN/)
  })

  it('the reconcile reads the page with unknown roles without failing, and the status page shows the UNKNOWN member left alone', async () => {
    const report = await t.bridge.reconciler.runOnce()
    expect(report.ok).toBe(true)
    expect(report.projects.find((p) => p.projectId === 'p1')?.members).toBe(3)
    expect(await inSim('helper@x.io')).toBe('Support member')
    const auth = { headers: { authorization: `Bearer ${TEST_TOKEN}` } }
    const overview = await (await fetch(`${t.url}/status`, auth)).text()
    expect(overview).toMatch(/id="card-api-style"[\s\S]*?v1/)
    const changes = await (await fetch(`${t.url}/status/changes`, auth)).text()
    expect(changes).toMatch(/sam@x\.io still holds UNKNOWN/)
  })
})
