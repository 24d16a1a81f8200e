import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReconcileReport } from '../../src/reconciler/reconciler.js'
import { eventually, startTestBridge, TEST_TOKEN, type TestBridge } from '../support/bridge.js'
import { rows, textOf } from '../support/console-page.js'

const ADMIN_TOKEN = 'admin-token-for-the-status-page-0123'
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const MARKUP = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'

const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''

describe('admin console content (server-rendered, plain HTTP)', () => {
  let t: TestBridge
  let report: ReconcileReport
  const ids: Record<string, string> = {}
  const admin = `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`

  const get = async (path: string, auth = `Bearer ${TEST_TOKEN}`): Promise<{ status: number, html: string, headers: Headers }> => {
    const res = await fetch(`${t.url}${path}`, { headers: { authorization: auth }, redirect: 'manual' })
    return { status: res.status, html: await res.text(), headers: res.headers }
  }
  const post = async (path: string, form: Record<string, string>, auth = admin, headers: Record<string, string> = {}): Promise<{ status: number, location: string | null, html: string }> => {
    const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString(), redirect: 'manual' })
    return { status: res.status, location: res.headers.get('location'), html: await res.text() }
  }
  const create = async (userName: string, displayName?: string): Promise<string> => {
    const res = await t.scim('POST', '/Users', { schemas: [USER], userName, ...(displayName === undefined ? {} : { displayName }), emails: [{ value: userName, primary: true }], active: true })
    expect(res.status, userName).toBe(201)
    return res.body.id as string
  }

  beforeAll(async () => {
    t = await startTestBridge({ env: { ADMIN_TOKEN } })
    await t.simControl.call('POST', 'seed', { members: [{ project_id: 'p1', email: 'outsider@example.com', role: 'ADMIN', status: 'ACTIVE' }] })
    ids.offboard = await create('offboard@example.com', 'Olive Offboard')
    ids.grace = await create('grace@example.com', `Grace ${MARKUP}`)
    // A group whose name carries markup and, by the naming convention, grants ADMIN in p2.
    const g = await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'sinch:p2:ADMIN', members: [{ value: ids.grace }] })
    expect(g.status).toBe(201)
    const evil = await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: `Team ${MARKUP}`, members: [{ value: ids.grace }] })
    expect(evil.status).toBe(201)
    report = await t.bridge.reconciler.runOnce()
    expect(report.ok).toBe(true)
    await t.bridge.provisioner.drain()
    // Sinch refuses every removal for good: the offboarding stands as a failed change.
    await t.simControl.call('POST', 'faults', { route: 'remove', rate: 1, status: 403 })
    expect((await t.scim('PATCH', `/Users/${ids.offboard}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] })).status).toBe(200)
    await eventually(async () => (await t.bridge.store.listOpStates({ userId: ids.offboard, state: 'failed' })).length === 2)
    // An error text from Sinch that carries markup, as the store keeps it.
    await t.bridge.store.setOpState({ userId: ids.grace, projectId: 'p1', state: 'failed', lastError: `Sinch said ${MARKUP}`, attempts: 3, updatedAt: new Date().toISOString() })
    await t.bridge.sampler.sampleNow()
  })
  afterAll(async () => { await t?.close() })

  it('serves every page with the hardening headers and refuses without a token', async () => {
    for (const path of ['/status', '/status/people', `/status/people/${ids.grace}`, '/status/changes', '/status/reconcile', '/status/activity', '/status/projects/p1']) {
      const r = await get(path)
      expect(r.status, path).toBe(200)
      const csp = r.headers.get('content-security-policy') ?? ''
      expect(csp, path).toContain("default-src 'none'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).not.toMatch(/script-src|unsafe-inline/)
      expect(r.headers.get('x-frame-options')).toBe('DENY')
      expect(r.headers.get('referrer-policy')).toBe('no-referrer')
      expect(r.headers.get('cache-control')).toBe('no-store')
      expect(r.html).not.toContain(MARKUP)
    }
    const none = await get('/status', '')
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/)
    expect((await get('/status', `Bearer ${ADMIN_TOKEN}x`)).status).toBe(401)
    // The admin token opens the console only; it is not a SCIM credential.
    expect((await t.scim('GET', '/Users', undefined, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(401)
  })

  it('overview: cards answer health at a glance and link to their detail', async () => {
    const { html } = await get('/status')
    expect(textOf(html, 'card-failed')).toBe('Failed changes 3 0 waiting')
    expect(textOf(html, 'card-queue')).toMatch(/^Queue 0 /)
    expect(textOf(html, 'card-reconcile')).toMatch(/^Last reconcile ok .* drift 1$/)
    expect(textOf(html, 'card-sinch')).toMatch(/^Sinch reachable last answer/)
    expect(textOf(html, 'card-api-style')).toBe('Sinch API style guide as detected or configured')
    expect(textOf(html, 'card-people')).toMatch(/^People 2 2 group\(s\)/)
    // Two user creates, two group creates and a PATCH went through the SCIM routes (all 2xx), and
    // the admin token refused as a SCIM credential above (a 401).
    const scim = /^SCIM requests, since start \(\d+ min\) (\d+) ([\d.]+) % errors \(0 5xx\)$/.exec(textOf(html, 'card-scim'))
    expect(Number(scim?.[1])).toBe(6)
    expect(scim?.[2]).toBe('16.7')
    expect(html).toContain('href="/status/changes#failed"')
    for (const chart of ['chart-queue', 'chart-sinch', 'chart-429', 'chart-scim']) expect(html).toContain(`<figure id="${chart}">`)
    expect(rows(html, 'overview-failed').map((r) => r[0]?.split(' ')[0])).toContain('offboard@example.com')
  })

  it('people: rows show userName and display name (escaped) with the id secondary; search by name, email or id', async () => {
    const all = await get('/status/people')
    expect(rows(all.html, 'people').map((r) => r[0])).toEqual([`grace@example.com ${ids.grace}`, `offboard@example.com ${ids.offboard}`])
    expect(rows(all.html, 'people')[0]?.[1]).toBe(`Grace ${MARKUP}`)
    expect(all.html).toContain('Grace &lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;')
    for (const q of ['olive', 'OFFBOARD@example', ids.offboard ?? '']) {
      const r = await get(`/status/people?q=${encodeURIComponent(q)}`)
      expect(rows(r.html, 'people').map((x) => x[0]?.split(' ')[0]), q).toEqual(['offboard@example.com'])
    }
    expect(rows((await get('/status/people?q=nobody')).html, 'people')).toEqual([])
    // The old page's search by email lands on the people search.
    const old = await get('/status?q=grace')
    expect(old.status).toBe(303)
    expect(old.headers.get('location')).toBe('/status/people?q=grace')
  })

  it('person page: identity, groups and what they grant, effective role per project and why, Sinch status, failed changes, audit', async () => {
    const { html } = await get(`/status/people/${ids.grace}`)
    expect(textOf(html, 'identity')).toContain(`Display name Grace ${MARKUP}`)
    expect(rows(html, 'access')).toEqual([
      ['p1', 'MEMBER', 'default projects', 'MEMBER · PENDING', 'failed'],
      ['p2', 'ADMIN', 'group "sinch:p2:ADMIN" (naming convention)', 'ADMIN · PENDING', 'in sync']
    ])
    expect(rows(html, 'groups').map((r) => r[1])).toEqual(expect.arrayContaining(['p2: ADMIN', 'grants nothing']))
    expect(rows(html, 'groups').map((r) => r[0])).toContain(`Team ${MARKUP}`)
    expect(rows(html, 'person-ops')).toEqual([['p1', 'failed', '3', `Sinch said ${MARKUP}`, expect.stringMatching(/s ago$/)]])
    expect(rows(html, 'audit').map((r) => `${r[1] ?? ''}:${r[3] ?? ''}:${r[4] ?? ''}`).sort()).toEqual(['p1:invite → MEMBER:ok', 'p2:invite → MEMBER:ok', 'p2:role → ADMIN:ok'])
    // Read with a SCIM token: no action form.
    expect(html).not.toContain('name="csrf"')
    expect((await get('/status/people/not-an-id')).status).toBe(404)
  })

  it('changes and drift: failed changes name the person; drift lists the member nobody provisioned', async () => {
    const changes = await get('/status/changes')
    expect(textOf(changes.html, 'op-counts')).toBe('3 failed, 0 waiting.')
    const failed = rows(changes.html, 'failed')
    expect(failed.filter((r) => r[0]?.startsWith(`offboard@example.com Olive Offboard ${ids.offboard}`)).map((r) => r[1]).sort()).toEqual(['p1', 'p2'])
    expect(failed.every((r) => (r[3] ?? '').length > 0)).toBe(true)
    const rec = await get('/status/reconcile')
    expect(rows(rec.html, 'drift')).toEqual([
      ['p1', '3', '2', '1', 'outsider@example.com', '0'],
      ['p2', '2', '2', '0', '', '0']
    ])
    expect(textOf(rec.html, 'last-reconcile')).toMatch(/^Last reconcile .* ok in \d+ ms/)
    const p1 = await get('/status/projects/p1')
    expect(rows(p1.html, 'members').map((r) => r[1]).sort()).toEqual(['grace@example.com', 'offboard@example.com'])
  })

  it('retry now: ADMIN_TOKEN only, CSRF-checked, queued and audited once with who did it; a double submit does nothing twice', async () => {
    const page = await get(`/status/people/${ids.offboard}`, admin)
    const token = csrfOf(page.html)
    expect(token).not.toBe('')
    // A SCIM token reads but cannot act, even with a valid form token.
    expect((await post('/status/actions/retry', { csrf: token, userId: ids.offboard ?? '' }, `Bearer ${TEST_TOKEN}`)).status).toBe(403)
    expect((await post('/status/actions/retry', { csrf: 'forged.token.value', userId: ids.offboard ?? '' })).status).toBe(403)
    expect((await post('/status/actions/retry', { userId: ids.offboard ?? '' })).status).toBe(400)
    expect((await post('/status/actions/retry', { csrf: token, userId: ids.offboard ?? '' }, admin, { 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect(await t.bridge.store.listAudit({ scimUserId: ids.offboard, action: 'retry', limit: 10 })).toEqual([])
    const requestsBefore = (await t.simControl.requests()).filter((r) => r.route === 'remove').length
    const first = await post('/status/actions/retry', { csrf: token, userId: ids.offboard ?? '' })
    expect(first.status).toBe(303)
    expect(first.location).toBe(`/status/people/${ids.offboard}?notice=retried`)
    const again = await post('/status/actions/retry', { csrf: token, userId: ids.offboard ?? '' })
    expect(again.location).toBe(`/status/people/${ids.offboard}?notice=repeat`)
    const audit = await t.bridge.store.listAudit({ scimUserId: ids.offboard, action: 'retry', limit: 10 })
    expect(audit.map((a) => `${a.projectId}:${a.rule}`).sort()).toEqual(['p1:console: admin', 'p2:console: admin'])
    // The queue worker ran the change again: Sinch saw new removal attempts (still refused).
    await eventually(async () => (await t.simControl.requests()).filter((r) => r.route === 'remove').length > requestsBefore, 10_000)
    const after = await get(`/status/people/${ids.offboard}?notice=retried`, admin)
    expect(after.html).toContain('Retry queued')
    expect(rows(after.html, 'audit').some((r) => r[3] === 'retry now' && r[5] === 'console: admin')).toBe(true)
  })

  it('reconcile now: starts a reconcile, audited once; a double submit starts nothing more', async () => {
    const page = await get('/status/reconcile', admin)
    const before = t.bridge.reconciler.lastReport()?.finishedAt ?? ''
    const r = await post('/status/actions/reconcile', { csrf: csrfOf(page.html) })
    expect(r.location).toMatch(/notice=reconcile-(started|running)$/)
    const second = await post('/status/actions/reconcile', { csrf: csrfOf(page.html) })
    expect(second.location).toMatch(/notice=repeat$/)
    await eventually(() => (t.bridge.reconciler.lastReport()?.finishedAt ?? '') > before, 10_000)
    const audit = await t.bridge.store.listAudit({ action: 'reconcile', limit: 10 })
    expect(audit.map((a) => a.rule)).toEqual(['console: admin'])
    expect((await get('/status/reconcile', `Bearer ${TEST_TOKEN}`)).html).toContain('"reconcile now" needs ADMIN_TOKEN')
  })
})

describe('console of a large project (plain HTTP)', () => {
  let t: TestBridge
  beforeAll(async () => {
    t = await startTestBridge({ background: false })
    const at = new Date().toISOString()
    await t.bridge.store.upsertKnownMembers(Array.from({ length: 1200 }, (_, i) => ({
      projectId: 'p1', email: `m${String(i).padStart(4, '0')}@big.example`, sinchUserId: `s${i}`, role: 'MEMBER' as const, status: 'ACTIVE' as const, scimUserId: `u${i}`, origin: 'invited' as const, seenAt: at
    })))
    for (let i = 0; i < 300; i++) await t.bridge.store.setOpState({ userId: `u${i}`, projectId: 'p1', state: i < 250 ? 'pending' : 'failed', lastError: `error ${i}`, attempts: 1, updatedAt: at })
    // A pending change is one whose user waits in the queue.
    await t.bridge.store.enqueue(Array.from({ length: 250 }, (_, i) => `u${i}`))
  })
  afterAll(async () => { await t?.close() })

  it('shows the first 200 members with the true total, counts every change, and filtering still finds any member', async () => {
    const get = async (path: string): Promise<string> => await (await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text()
    const html = await get('/status/projects/p1')
    expect(textOf(html, 'member-count')).toBe('1200 managed member(s).')
    const members = rows(html, 'members')
    expect(members).toHaveLength(200)
    expect(members[0]?.[1]).toBe('m0000@big.example')
    expect(html).toContain('1000 more not shown; filter by address.')
    expect(members.every((r, i) => r[5] === `error ${i}`)).toBe(true)
    const changes = await get('/status/changes')
    expect(textOf(changes, 'op-counts')).toBe('50 failed, 250 waiting.')
    expect(rows(changes, 'waiting')).toHaveLength(200)
    expect(changes).toContain('50 more waiting, not shown.')
    expect(rows(await get('/status/projects/p1?q=m1199'), 'members').map((r) => r[1])).toEqual(['m1199@big.example'])
  })
})
