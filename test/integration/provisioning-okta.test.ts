import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, SIM_KEY, startTestBridge, TEST_TOKEN, type TestBridge } from '../support/bridge.js'
import { JOURNEY_STYLES, expectStyleSpoken } from '../support/styles.js'
import { SINCH_USER } from '../support/urns.js'

const email = 'ann.okta@example.com'

function oktaUser (active: boolean) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: email,
    name: { givenName: 'Ann', familyName: 'Okta' },
    emails: [{ primary: true, value: email, type: 'work' }],
    displayName: 'Ann Okta',
    locale: 'en-US',
    externalId: '00u1abcdOKTA',
    groups: [],
    password: 'Okta-Sent-This-1!',
    active
  }
}

describe.each(JOURNEY_STYLES)('Okta journey over real HTTP: bridge → simulator ($sim simulator, SINCH_API_STYLE=$client)', ({ sim, client }) => {
  let t: TestBridge
  let userId = ''
  let firstSinchId = ''
  beforeAll(async () => { t = await startTestBridge({ apiStyle: sim, env: { SINCH_API_STYLE: client } }) })
  afterAll(async () => { await t.close() })

  const roles = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {}
    for (const p of ['p1', 'p2']) {
      const m = (await t.simControl.members(p)).find((x) => x.email.toLowerCase() === email)
      if (m !== undefined) out[p] = `${m.role}/${m.status}`
    }
    return out
  }

  it('answers the lookup with an empty list, then creates and invites into every default project', async () => {
    const lookup = await t.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}&startIndex=1&count=100`)
    expect(lookup.status).toBe(200)
    expect(lookup.body.totalResults).toBe(0)
    const created = await t.scim('POST', '/Users', oktaUser(true))
    expect(created.status).toBe(201)
    expect(created.body.password).toBeUndefined()
    userId = created.body.id
    // The request path applies the plan at once, so Sinch already holds the invites.
    expect(await roles()).toEqual({ p1: 'MEMBER/PENDING', p2: 'MEMBER/PENDING' })
    const read = await t.scim('GET', `/Users/${userId}`)
    expect(read.body[SINCH_USER]?.projects).toMatchObject([
      { projectId: 'p1', role: 'MEMBER', status: 'PENDING' },
      { projectId: 'p2', role: 'MEMBER', status: 'PENDING' }
    ])
  })

  it('a pushed group raises the role in place: the accepted member keeps its user_id, no re-invite', async () => {
    await t.simControl.call('POST', 'invites/accept', {})
    firstSinchId = (await t.simControl.members('p1')).find((m) => m.email === email)?.user_id ?? ''
    expect(firstSinchId).not.toBe('')
    const group = await t.scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'sinch:p1:ADMIN', members: [] })
    expect(group.status).toBe(201)
    const patch = await t.scim('PATCH', `/Groups/${group.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', value: { id: group.body.id, displayName: 'sinch:p1:ADMIN' } },
        { op: 'add', path: 'members', value: [{ value: userId, display: email }] }
      ]
    })
    expect([200, 204]).toContain(patch.status)
    await eventually(async () => (await roles()).p1 === 'ADMIN/ACTIVE')
    expect((await t.simControl.members('p1')).find((m) => m.email === email)?.user_id).toBe(firstSinchId)
    expect((await t.simControl.inviteCounts()).get(`p1|${email}`)).toBe(1)
  })

  it('a PUT profile update never re-invites and never flips active', async () => {
    const { active: _a, ...withoutActive } = oktaUser(true)
    const put = await t.scim('PUT', `/Users/${userId}`, { ...withoutActive, name: { givenName: 'Annie', familyName: 'Okta' } })
    expect(put.status).toBe(200)
    expect(put.body.active).toBe(true)
    const counts = await t.simControl.inviteCounts()
    expect(counts.get(`p1|${email}`)).toBe(1)
    expect(counts.get(`p2|${email}`)).toBe(1)
    expect(await roles()).toEqual({ p1: 'ADMIN/ACTIVE', p2: 'MEMBER/ACTIVE' })
  })

  it('active:false (PATCH, no path) removes the user from every managed project', async () => {
    const res = await t.scim('PATCH', `/Users/${userId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] })
    expect(res.status).toBe(200)
    expect(res.body.active).toBe(false)
    expect(await roles()).toEqual({})
    // Deactivated users stay readable.
    expect((await t.scim('GET', `/Users/${userId}`)).status).toBe(200)
  })

  it('active:true (PUT, as custom apps send) re-invites with the group role', async () => {
    const res = await t.scim('PUT', `/Users/${userId}`, oktaUser(true))
    expect(res.status).toBe(200)
    expect(await roles()).toEqual({ p1: 'ADMIN/PENDING', p2: 'MEMBER/PENDING' })
    const audit = await t.bridge.store.listAudit({ scimUserId: userId, limit: 50 })
    expect(audit.map((a) => `${a.action}:${a.projectId}:${a.outcome}`).sort()).toEqual([
      'invite:p1:ok', 'invite:p1:ok', 'invite:p2:ok', 'invite:p2:ok', 'remove:p1:ok', 'remove:p2:ok', 'role:p1:ok'
    ])
  })

  it('no log line of the whole journey holds the SCIM token, the Sinch secret, a Sinch token or the password', async () => {
    expect(t.logs.length).toBeGreaterThan(20)
    const tokens = (await t.simControl.requests()).filter((r) => r.route === 'token').length
    expect(tokens).toBeGreaterThan(0)
    for (const line of t.logs) {
      expect(line).not.toContain(TEST_TOKEN)
      expect(line).not.toContain(SIM_KEY.secret)
      expect(line).not.toContain('Okta-Sent-This-1!')
      expect(line).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/)
      expect(line).not.toMatch(/Bearer\s+\S{10,}/)
    }
  })

  it('spoke only the simulator\'s style, and no write went out before the style was known', async () => {
    await expectStyleSpoken(t, sim, client)
  })
})
