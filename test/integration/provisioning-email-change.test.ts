import { afterEach, describe, expect, it } from 'vitest'
import { startTestBridge, type SimMember, type TestBridge } from '../support/bridge.js'
import { CORE_USER, PATCH_OP } from '../support/urns.js'

const user = (email: string): Record<string, unknown> => ({
  schemas: [CORE_USER], userName: 'ann', emails: [{ value: email, type: 'work', primary: true }], active: true
})
const changeEmail = (email: string): Record<string, unknown> => ({
  schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: email }]
})
const view = (ms: SimMember[]): string[] => ms.map((m) => `${m.email} ${m.user_id} ${m.status}`)

describe('an identity email change over real HTTP', () => {
  let t: TestBridge | null = null
  afterEach(async () => { await t?.close(); t = null })

  async function activeUser (bridge: TestBridge): Promise<{ id: string, p1: string[], p2: string[] }> {
    const created = await bridge.scim('POST', '/Users', user('old@example.com'))
    expect(created.status).toBe(201)
    await bridge.simControl.call('POST', 'invites/accept', {})
    const p1 = view(await bridge.simControl.members('p1'))
    const p2 = view(await bridge.simControl.members('p2'))
    expect(p1).toEqual([expect.stringMatching(/^old@example\.com \S+ ACTIVE$/)])
    return { id: String(created.body.id), p1, p2 }
  }

  it('refused by Sinch, one project at a time: the IdP gets 400 and Sinch is left exactly as it was (same member ids, still ACTIVE)', async () => {
    t = await startTestBridge({ env: { SINCH_PROJECTS_AT_ONCE: '1' } })
    const before = await activeUser(t)
    await t.simControl.call('DELETE', 'requests')
    await t.simControl.call('POST', 'faults', { route: 'invite', status: 400, count: 1 })
    const res = await t.scim('PATCH', `/Users/${before.id}`, changeEmail('new@example.com'))
    expect(res.status).toBe(400)
    expect(view(await t.simControl.members('p1'))).toEqual(before.p1)
    expect(view(await t.simControl.members('p2'))).toEqual(before.p2)
    // Nothing was removed: the refused invite was the first write.
    const writes = (await t.simControl.requests()).filter((r) => r.route === 'invite' || r.route === 'remove').map((r) => `${r.route} ${r.status}`)
    expect(writes).toEqual(['invite 400'])
    expect((await t.scim('GET', `/Users/${before.id}`)).body.emails[0].value).toBe('old@example.com')
  })

  it('refused in the second project: what the first accepted is taken back, the old members stay ACTIVE', async () => {
    t = await startTestBridge()
    const before = await activeUser(t)
    await t.simControl.call('DELETE', 'requests')
    // Sinch takes the new address in p1 and refuses it in p2.
    await t.simControl.call('POST', 'config', { refuseInvites: [{ email: 'new@example.com', projectId: 'p2' }] })
    const res = await t.scim('PATCH', `/Users/${before.id}`, changeEmail('new@example.com'))
    expect(res.status).toBe(400)
    expect(res.body.detail).toMatch(/p2/)
    expect(view(await t.simControl.members('p1'))).toEqual(before.p1)
    expect(view(await t.simControl.members('p2'))).toEqual(before.p2)
    const writes = (await t.simControl.requests()).filter((r) => r.route === 'invite' || r.route === 'remove').map((r) => `${r.route} ${r.projectId ?? ''} ${r.status}`)
    // The two invites go out side by side; the take-back follows both.
    expect(writes.slice(0, 2).sort()).toEqual(['invite p1 201', 'invite p2 400'])
    expect(writes.slice(2)).toEqual(['remove p1 204'])
  })

  it('accepted by Sinch: the new address is invited before the old member is removed', async () => {
    t = await startTestBridge()
    const before = await activeUser(t)
    await t.simControl.call('DELETE', 'requests')
    const res = await t.scim('PATCH', `/Users/${before.id}`, changeEmail('new@example.com'))
    expect(res.status).toBe(200)
    const writes = (await t.simControl.requests()).filter((r) => r.route === 'invite' || r.route === 'remove').map((r) => `${r.route} ${r.projectId ?? ''}`)
    // Every invite comes before any removal: a refusal part-way leaves the old access in place.
    expect(writes.slice(0, 2).sort()).toEqual(['invite p1', 'invite p2'])
    expect(writes.slice(2).sort()).toEqual(['remove p1', 'remove p2'])
    expect((await t.simControl.members('p1')).map((m) => `${m.email} ${m.status}`)).toEqual(['new@example.com PENDING'])
  })
})
