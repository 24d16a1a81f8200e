import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBridge, type TestBridge } from '../support/bridge.js'
import { SINCH_USER } from '../support/urns.js'

describe('reconcile over real HTTP', () => {
  let t: TestBridge
  beforeAll(async () => {
    t = await startTestBridge({ background: false })
    await t.simControl.call('POST', 'seed', {
      members: [
        { project_id: 'p1', email: 'outsider@example.com', role: 'ADMIN', status: 'ACTIVE' },
        { project_id: 'p1', email: 'boss@example.com', role: 'OWNER', status: 'ACTIVE' },
        { project_id: 'p2', email: 'Existing@Example.com', role: 'READONLY', status: 'ACTIVE' },
        { project_id: 'other', email: 'stranger@example.com', role: 'MEMBER', status: 'ACTIVE' }
      ]
    })
  })
  afterAll(async () => { await t.close() })

  it('adopts an existing member with the user\'s email instead of inviting it twice', async () => {
    const res = await t.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'existing@example.com', active: true })
    expect(res.status).toBe(201)
    const p2 = await t.simControl.members('p2')
    expect(p2.filter((m) => m.email.toLowerCase() === 'existing@example.com').map((m) => m.role)).toEqual(['MEMBER'])
    const audit = await t.bridge.store.listAudit({ scimUserId: res.body.id, limit: 10 })
    expect(audit.map((a) => `${a.action}:${a.projectId}`).sort()).toEqual(['adopt:p2', 'invite:p1', 'role:p2'])
  })

  it('a full reconcile never changes unmanaged members nor touches unmanaged projects', async () => {
    await t.simControl.call('DELETE', 'requests')
    const report = await t.bridge.reconciler.runOnce()
    await t.bridge.provisioner.drain()
    expect(report.ok).toBe(true)
    const p1 = report.projects.find((p) => p.projectId === 'p1')
    expect(p1).toMatchObject({ members: 3, managed: 1, unmanagedCount: 2 })
    expect(p1?.unmanagedSample.sort()).toEqual(['boss@example.com', 'outsider@example.com'])
    const requests = await t.simControl.requests()
    expect(requests.every((r) => r.projectId !== 'other')).toBe(true)
    expect(requests.filter((r) => r.method !== 'GET' && r.route !== 'token')).toEqual([])
    expect((await t.simControl.members('p1')).find((m) => m.email === 'outsider@example.com')?.role).toBe('ADMIN')
  })

  it('repairs drift: a managed member removed or re-roled by hand is restored', async () => {
    const p1 = await t.simControl.members('p1')
    const mine = p1.find((m) => m.email === 'existing@example.com')
    expect(mine).toBeDefined()
    expect(await t.simControl.byHand('DELETE', 'p1', 'existing@example.com')).toBeLessThan(300)
    expect(await t.simControl.byHand('PATCH', 'p2', 'existing@example.com', { role: 'ADMIN' })).toBe(200)
    const report = await t.bridge.reconciler.runOnce()
    await t.bridge.provisioner.drain()
    expect(report.ok).toBe(true)
    const after1 = (await t.simControl.members('p1')).filter((m) => m.email.toLowerCase() === 'existing@example.com')
    expect(after1.map((m) => m.role)).toEqual(['MEMBER'])
    const after2 = (await t.simControl.members('p2')).filter((m) => m.email.toLowerCase() === 'existing@example.com')
    expect(after2.map((m) => m.role)).toEqual(['MEMBER'])
    expect(report.projects.reduce((n, p) => n + p.changedByHand, 0)).toBe(2)
  })

  it('a dry run lists the changes and makes none', async () => {
    const created = await t.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'dry@example.com', active: true })
    expect(created.status).toBe(201)
    expect(await t.simControl.byHand('DELETE', 'p1', 'dry@example.com')).toBeLessThan(300)
    await t.simControl.call('DELETE', 'requests')
    const { dryRunReconcile } = await import('../../src/reconciler/dry-run.js')
    const result = await dryRunReconcile({ store: t.bridge.store, sinch: t.bridge.sinch, rules: t.bridge.rules })
    expect(result.ops.map((o) => `${o.kind}:${o.projectId}:${o.email}`)).toContain('invite:p1:dry@example.com')
    const writes = (await t.simControl.requests()).filter((r) => r.method !== 'GET' && r.route !== 'token')
    expect(writes).toEqual([])
  })

  it('an existing OWNER is not adopted (ADOPT_EXISTING=same-or-lower-role), never demoted nor removed, and shown as a failed change with the reason', async () => {
    const created = await t.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'boss@example.com', active: true })
    expect(created.status).toBe(201)
    const p1 = (created.body[SINCH_USER].projects as Array<{ projectId: string, role: string | null, pendingError: string | null }>).find((p) => p.projectId === 'p1')
    // Not the user's member: no role shown for it, only the reason it was left alone.
    expect(p1).toMatchObject({ role: null })
    expect(p1?.pendingError).toMatch(/already OWNER .*ADOPT_EXISTING=same-or-lower-role/)
    const failed = await t.bridge.store.listOpStates({ userId: created.body.id, state: 'failed' })
    expect(failed.map((o) => o.projectId)).toEqual(['p1'])
    const off = await t.scim('PATCH', `/Users/${String(created.body.id)}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })
    expect(off.status).toBe(200)
    const boss = (await t.simControl.members('p1')).find((m) => m.email === 'boss@example.com')
    expect(boss?.role).toBe('OWNER')
    expect((await t.bridge.store.listOpStates({ userId: created.body.id, state: 'failed' }))[0]?.lastError).toMatch(/still holds OWNER .*not removed on deactivation/)
    const writes = (await t.simControl.requests()).filter((r) => r.projectId === 'p1' && (r.route === 'update' || r.route === 'remove') && r.path.includes(boss?.user_id ?? '?'))
    expect(writes).toEqual([])
    // The same member in p2 is an ordinary one: it was invited there and removed on deactivation.
    expect((await t.simControl.members('p2')).some((m) => m.email === 'boss@example.com')).toBe(false)
  })
})
