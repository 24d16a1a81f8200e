import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTestBridge, type TestBridge } from '../support/bridge.js'
import { JOURNEY_STYLES, expectStyleSpoken } from '../support/styles.js'
import { SINCH_USER } from '../support/urns.js'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const upn = 'bob.upn@contoso.onmicrosoft.com'
const work = 'Bob.Work@Contoso.example'

describe.each(JOURNEY_STYLES)('Entra ID journey over real HTTP: bridge → simulator ($sim simulator, SINCH_API_STYLE=$client)', ({ sim, client }) => {
  let t: TestBridge
  let userId = ''
  let groupId = ''
  beforeAll(async () => { t = await startTestBridge({ apiStyle: sim, env: { SINCH_DEFAULT_PROJECT_IDS: 'p1', SINCH_API_STYLE: client } }) })
  afterAll(async () => { await t.close() })

  const state = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {}
    for (const p of ['p1', 'p2']) {
      for (const m of await t.simControl.members(p)) out[`${p}:${m.email.toLowerCase()}`] = m.role
    }
    return out
  }

  it('creates with the enterprise extension and invites the work email, not the UPN', async () => {
    const res = await t.scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      externalId: 'c0ffee00-0000-4000-8000-000000000001',
      userName: upn,
      active: true,
      displayName: 'Bob Work',
      emails: [{ primary: true, type: 'work', value: work }],
      name: { formatted: 'Bob Work', familyName: 'Work', givenName: 'Bob' },
      [ENTERPRISE]: { employeeNumber: '42', department: 'Ops', manager: { value: 'someone' } }
    }, { 'content-type': 'application/json; charset=utf-8' })
    expect(res.status).toBe(201)
    expect(res.body.externalId).toBe('c0ffee00-0000-4000-8000-000000000001')
    userId = res.body.id
    expect(await state()).toEqual({ 'p1:bob.work@contoso.example': 'MEMBER' })
    const invited = (await t.simControl.requests()).filter((r) => r.route === 'invite').map((r) => (r.body as { email: string }).email)
    expect(invited).toEqual([work])
  })

  it('group Add members (several values) raises the role; Remove in both shapes lowers it', async () => {
    const g = await t.scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'sinch:p2:ADMIN', externalId: 'g-1' })
    groupId = g.body.id
    const other = await t.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'carol@contoso.example', active: true })
    const add = await t.scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ value: userId }, { value: other.body.id }] }] })
    expect([200, 204]).toContain(add.status)
    await eventually(async () => (await state())['p2:bob.work@contoso.example'] === 'ADMIN' && (await state())['p2:carol@contoso.example'] === 'ADMIN')
    const r1 = await t.scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ value: userId }] }] })
    expect([200, 204]).toContain(r1.status)
    await eventually(async () => (await state())['p2:bob.work@contoso.example'] === undefined)
    const r2 = await t.scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${other.body.id}"]` }] })
    expect([200, 204]).toContain(r2.status)
    await eventually(async () => (await state())['p2:carol@contoso.example'] === undefined)
    expect((await state())['p1:carol@contoso.example']).toBe('MEMBER')
  })

  it('capitalised Replace with "False" removes access; "True" brings it back', async () => {
    const off = await t.scim('PATCH', `/Users/${userId}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })
    expect(off.status).toBe(200)
    expect(off.body.active).toBe(false)
    expect((await state())['p1:bob.work@contoso.example']).toBeUndefined()
    const on = await t.scim('PATCH', `/Users/${userId}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] })
    expect(on.status).toBe(200)
    expect((await state())['p1:bob.work@contoso.example']).toBe('MEMBER')
  })

  it('a changed work email moves the membership', async () => {
    const res = await t.scim('PATCH', `/Users/${userId}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'bob.new@contoso.example' }] })
    expect(res.status).toBe(200)
    const s = await state()
    expect(s['p1:bob.work@contoso.example']).toBeUndefined()
    expect(s['p1:bob.new@contoso.example']).toBe('MEMBER')
  })

  it('DELETE removes access and the user', async () => {
    const res = await t.scim('DELETE', `/Users/${userId}`)
    expect(res.status).toBe(204)
    expect((await state())['p1:bob.new@contoso.example']).toBeUndefined()
    expect((await t.scim('GET', `/Users/${userId}`)).status).toBe(404)
    const audit = await t.bridge.store.listAudit({ scimUserId: userId, limit: 50 })
    expect(audit.filter((a) => a.action === 'remove' && a.outcome === 'ok').length).toBeGreaterThanOrEqual(3)
  })

  it('two SCIM users with one work email: the second waits (never invited twice) and gets access once the first leaves', async () => {
    const mk = async (userName: string): Promise<string> => {
      const res = await t.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true, emails: [{ primary: true, type: 'work', value: 'shared@contoso.example' }] })
      expect(res.status).toBe(201)
      return res.body.id as string
    }
    const first = await mk('first.upn@contoso.onmicrosoft.com')
    const second = await mk('second.upn@contoso.onmicrosoft.com')
    const holder = async (): Promise<string | undefined> => (await t.bridge.store.listKnownMembers({ projectId: 'p1', email: 'shared@contoso.example' }))[0]?.scimUserId ?? undefined
    expect(await holder()).toBe(first)
    // Waiting is visible: a failed change saying why, on the user's Sinch extension.
    const waiting = (await t.scim('GET', `/Users/${second}`)).body[SINCH_USER].projects as Array<{ projectId: string, pendingError: string | null }>
    expect(waiting.find((p) => p.projectId === 'p1')?.pendingError).toMatch(/already managed for another SCIM user/)
    const off = await t.scim('PATCH', `/Users/${first}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] })
    expect(off.status).toBe(200)
    // The member row moves as the invite lands; the op state is settled at the end of that run.
    const settled = async (): Promise<boolean> => await holder() === second && (await t.bridge.store.listOpStates({ userId: second, state: 'failed' })).length === 0
    await eventually(settled)
    expect((await state())['p1:shared@contoso.example']).toBe('MEMBER')
    const invites = [...(await t.simControl.inviteCounts())].filter(([k]) => k.endsWith('|shared@contoso.example'))
    expect(invites).toEqual([['p1|shared@contoso.example', 2]]) // one for each holder, one after the other's removal
    const removes = (await t.simControl.requests()).filter((r) => r.route === 'remove' && r.status < 300 && r.projectId === 'p1')
    expect(removes.length).toBeGreaterThanOrEqual(1)
  })

  it('spoke only the simulator\'s style, and no write went out before the style was known', async () => {
    await expectStyleSpoken(t, sim, client)
  })
})
