import { afterEach, describe, expect, it } from 'vitest'
import { eventually, startTestBridge, type TestBridge } from '../support/bridge.js'
import { SINCH_USER } from '../support/urns.js'

const user = (email: string, active = true): Record<string, unknown> => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, emails: [{ value: email, type: 'work', primary: true }], active
})
const lookup = (email: string): string => `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`

describe('permanent Sinch rejections over real HTTP', () => {
  let t: TestBridge | null = null
  afterEach(async () => { await t?.close(); t = null })

  it('a refused first invite, one project at a time: 400 for the IdP, no user kept, and no other project was asked', async () => {
    t = await startTestBridge({ env: { SINCH_PROJECTS_AT_ONCE: '1' } })
    await t.simControl.call('POST', 'faults', { route: 'invite', status: 400, count: 1 })
    const res = await t.scim('POST', '/Users', user('refused@example.com'))
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ status: '400', scimType: 'invalidValue' })
    expect(res.body.detail).toMatch(/Sinch rejected/)
    expect((await t.scim('GET', lookup('refused@example.com'))).body.totalResults).toBe(0)
    expect(await t.simControl.members('p1')).toEqual([])
    expect(await t.simControl.members('p2')).toEqual([])
    const invites = (await t.simControl.requests()).filter((r) => r.route === 'invite')
    expect(invites.map((r) => r.status)).toEqual([400])
  })

  it('a refused invite while projects run side by side: 400 for the IdP, the invite already sent elsewhere is taken back', async () => {
    // The first project refuses (403: unknown to the simulator); the second is asked at the same time.
    t = await startTestBridge({ env: { SINCH_PROJECT_IDS: 'nowhere,p1' } })
    const res = await t.scim('POST', '/Users', user('sideways@example.com'))
    expect(res.status).toBe(400)
    expect(res.body.detail).toMatch(/nowhere/)
    expect((await t.scim('GET', lookup('sideways@example.com'))).body.totalResults).toBe(0)
    expect(await t.simControl.members('p1')).toEqual([])
    const log = (await t.simControl.requests()).filter((r) => r.route === 'invite' || r.route === 'remove').map((r) => `${r.route} ${r.projectId ?? ''} ${r.status}`)
    expect(log.slice(0, 2).sort()).toEqual(['invite nowhere 403', 'invite p1 201'])
    expect(log.slice(2)).toEqual(['remove p1 204'])
    expect((await t.bridge.store.listOpStates({ state: 'failed' }))).toEqual([])
  })

  it('a project refusing after another accepted: the accepted invite is taken back, the IdP gets 400', async () => {
    // "nowhere" is unknown to the simulator: it answers 403 PERMISSION_DENIED, as Sinch does.
    t = await startTestBridge({ env: { SINCH_PROJECT_IDS: 'p1,nowhere' } })
    const res = await t.scim('POST', '/Users', user('half@example.com'))
    expect(res.status).toBe(400)
    expect(res.body.detail).toMatch(/nowhere/)
    expect((await t.scim('GET', lookup('half@example.com'))).body.totalResults).toBe(0)
    expect(await t.simControl.members('p1')).toEqual([])
    const log = (await t.simControl.requests()).filter((r) => r.route === 'invite' || r.route === 'remove').map((r) => `${r.route} ${r.projectId ?? ''} ${r.status}`)
    // Both invites go out side by side, in either order; the take-back follows them.
    expect(log.slice(0, 2).sort()).toEqual(['invite nowhere 403', 'invite p1 201'])
    expect(log.slice(2)).toEqual(['remove p1 204'])
    // The undone user leaves nothing behind to retry or to show as failed.
    expect((await t.bridge.store.listOpStates({ state: 'failed' }))).toEqual([])
  })

  it('a take-back that fails for now stays queued until Sinch has removed the accepted invite', async () => {
    t = await startTestBridge({ env: { SINCH_PROJECT_IDS: 'p1,nowhere' } })
    // More 503s than one run's attempts (8): the first take-back fails, a queued retry finishes it.
    await t.simControl.call('POST', 'faults', { route: 'remove', status: 503, count: 10 })
    const res = await t.scim('POST', '/Users', user('stuck@example.com'))
    expect(res.status).toBe(400)
    expect((await t.scim('GET', lookup('stuck@example.com'))).body.totalResults).toBe(0)
    await eventually(async () => (await t?.simControl.members('p1'))?.length === 0)
    const removes = (await t.simControl.requests()).filter((r) => r.route === 'remove').map((r) => r.status)
    expect(removes.filter((s) => s === 503)).toHaveLength(10)
    expect(removes.at(-1)).toBe(204)
    await eventually(async () => (await t?.bridge.store.queueDepth())?.depth === 0)
  })

  it('offboarding always stands: active=false answered 2xx even when Sinch refuses one removal, and nobody is re-invited', async () => {
    t = await startTestBridge()
    const created = await t.scim('POST', '/Users', user('leaver@example.com'))
    expect(created.status).toBe(201)
    expect((await t.simControl.members('p1')).map((m) => m.email)).toEqual(['leaver@example.com'])
    await t.simControl.call('POST', 'faults', { route: 'remove', status: 400, count: 1 })
    const off = await t.scim('PATCH', `/Users/${String(created.body.id)}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] })
    expect(off.status).toBe(200)
    expect(off.body.active).toBe(false)
    const left = [...await t.simControl.members('p1'), ...await t.simControl.members('p2')].map((m) => `${m.project_id} ${m.email}`)
    expect(left).toHaveLength(1) // one removal refused, the other applied
    const refusedIn = left[0]?.split(' ')[0]
    expect(off.body[SINCH_USER].projects.find((p: { projectId: string }) => p.projectId === refusedIn).pendingError).toMatch(/400|invalid/i)
    expect((await t.simControl.requests()).filter((r) => r.route === 'invite')).toHaveLength(2) // the two first invites only
    expect((await t.scim('GET', `/Users/${String(created.body.id)}`)).body.active).toBe(false)
  })
})
