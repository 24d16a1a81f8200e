import { afterEach, describe, expect, it } from 'vitest'
import { startTestBridge, TEST_TOKEN, type TestBridge } from '../support/bridge.js'
import { CORE_USER, PATCH_OP, SINCH_USER } from '../support/urns.js'

const user = (email: string): Record<string, unknown> => ({
  schemas: [CORE_USER], userName: email, emails: [{ value: email, type: 'work', primary: true }], active: true
})
const deactivate = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }

/** Writes (not listings) the bridge sent to one project. */
async function writesTo (t: TestBridge, projectId: string): Promise<string[]> {
  return (await t.simControl.requests()).filter((r) => r.projectId === projectId && ['invite', 'update', 'remove'].includes(r.route)).map((r) => `${r.route} ${r.status}`)
}

async function statusPage (t: TestBridge, path: 'changes' | 'reconcile'): Promise<string> {
  return await (await fetch(`${t.url}/status/${path}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text()
}

describe('adopting members that exist in Sinch already (ADOPT_EXISTING), over real HTTP', () => {
  let t: TestBridge | null = null
  afterEach(async () => { await t?.close(); t = null })

  // Seeded after start-up: the known state has never seen them, so the invite meets them (409),
  // or, with `reconciled`, a reconcile lists them first and the planner meets them.
  async function bridgeWith (env: Record<string, string>, seeded: { email: string, role: string }, reconciled: boolean): Promise<TestBridge> {
    const bridge = await startTestBridge({ env })
    await bridge.simControl.call('POST', 'seed', { members: [{ project_id: 'p1', email: seeded.email, role: seeded.role, status: 'ACTIVE' }] })
    if (reconciled) await bridge.bridge.reconciler.runOnce()
    await bridge.simControl.call('DELETE', 'requests')
    return bridge
  }

  for (const reconciled of [false, true]) {
    const path = reconciled ? 'listed by a reconcile' : 'met by the invite (409)'
    it(`default (same-or-lower-role), ${path}: a seeded ADMIN is neither demoted nor removed on deactivation, and shows as a failed change`, async () => {
      t = await bridgeWith({}, { email: 'admin@example.com', role: 'ADMIN' }, reconciled)
      const created = await t.scim('POST', '/Users', user('admin@example.com'))
      expect(created.status).toBe(201)
      const id = String(created.body.id)
      const admin = (await t.simControl.members('p1')).find((m) => m.email === 'admin@example.com')
      expect(admin).toMatchObject({ role: 'ADMIN', status: 'ACTIVE' })
      expect((await writesTo(t, 'p1')).filter((w) => !w.startsWith('invite 409'))).toEqual([])
      const p1 = (created.body[SINCH_USER].projects as Array<{ projectId: string, pendingError: string | null }>).find((p) => p.projectId === 'p1')
      expect(p1?.pendingError).toMatch(/already ADMIN .*ADOPT_EXISTING=same-or-lower-role/)
      expect((await t.bridge.store.listKnownMembers({ projectId: 'p1' }))[0]?.scimUserId).toBeNull()
      expect(await statusPage(t, 'changes')).toContain('ADOPT_EXISTING=same-or-lower-role never lowers a role')
      // p2 had nobody: invited as usual.
      expect((await t.simControl.members('p2')).map((m) => m.email)).toEqual(['admin@example.com'])
      expect((await t.scim('PATCH', `/Users/${id}`, deactivate)).status).toBe(200)
      expect((await t.simControl.members('p1')).find((m) => m.email === 'admin@example.com')).toMatchObject({ user_id: admin?.user_id, role: 'ADMIN' })
      // Offboarding leaves that access in place, and says so rather than looking done.
      expect((await t.bridge.store.listOpStates({ userId: id, state: 'failed' })).map((o) => [o.projectId, o.lastError])).toEqual([['p1', expect.stringMatching(/still holds ADMIN .*not removed on deactivation/)]])
      expect((await writesTo(t, 'p1')).filter((w) => !w.startsWith('invite 409'))).toEqual([])
      expect(await t.simControl.members('p2')).toEqual([])
    })
  }

  it('default: a seeded READONLY is adopted and raised, and the adoption is in the audit (with the role it held) and on the status page', async () => {
    t = await bridgeWith({}, { email: 'ro@example.com', role: 'READONLY' }, true)
    const created = await t.scim('POST', '/Users', user('ro@example.com'))
    expect(created.status).toBe(201)
    expect((await t.simControl.members('p1')).find((m) => m.email === 'ro@example.com')?.role).toBe('MEMBER')
    const adopt = (await t.bridge.store.listAudit({ scimUserId: String(created.body.id), action: 'adopt', limit: 5 }))
    expect(adopt).toMatchObject([{ projectId: 'p1', action: 'adopt', outcome: 'ok', fromRole: 'READONLY' }])
    expect(adopt[0]?.detail).toMatch(/held READONLY \(ACTIVE\).*ADOPT_EXISTING=same-or-lower-role/)
    const page = await statusPage(t, 'reconcile')
    expect(page).toContain('<h2>Adopted members</h2>')
    expect(page).toMatch(/<td>p1<\/td><td>ro@example\.com<\/td><td>READONLY<\/td>/)
  })

  it('never: even a member with the same role is left alone and reported', async () => {
    t = await bridgeWith({ ADOPT_EXISTING: 'never' }, { email: 'same@example.com', role: 'MEMBER' }, false)
    const created = await t.scim('POST', '/Users', user('same@example.com'))
    expect(created.status).toBe(201)
    const failed = await t.bridge.store.listOpStates({ userId: String(created.body.id), state: 'failed' })
    expect(failed.map((o) => [o.projectId, o.lastError])).toEqual([['p1', expect.stringMatching(/ADOPT_EXISTING=never/)]])
    expect((await t.scim('PATCH', `/Users/${String(created.body.id)}`, deactivate)).status).toBe(200)
    expect((await t.simControl.members('p1')).map((m) => `${m.email} ${m.role}`)).toEqual(['same@example.com MEMBER'])
    expect(await t.bridge.store.listAudit({ action: 'adopt', limit: 5 })).toEqual([])
  })

  it('always: the old behaviour on purpose — a seeded ADMIN is adopted and given the bridge\'s role', async () => {
    t = await bridgeWith({ ADOPT_EXISTING: 'always' }, { email: 'admin@example.com', role: 'ADMIN' }, false)
    const created = await t.scim('POST', '/Users', user('admin@example.com'))
    expect(created.status).toBe(201)
    expect((await t.simControl.members('p1')).find((m) => m.email === 'admin@example.com')?.role).toBe('MEMBER')
    expect(await t.bridge.store.listAudit({ action: 'adopt', limit: 5 })).toMatchObject([{ projectId: 'p1', fromRole: 'ADMIN' }])
  })

})
