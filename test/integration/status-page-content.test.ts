import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReconcileReport } from '../../src/reconciler/reconciler.js'
import { eventually, startTestBridge, TEST_TOKEN, type TestBridge } from '../support/bridge.js'

const ADMIN_TOKEN = 'admin-token-for-the-status-page-0123'
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'

const decode = (s: string): string => s.replace(/<[^>]*>/g, '').replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&').trim()

/** The rows (cell text) of the table right after the <h2> starting with `heading`; [] when it shows its empty note. */
function rowsUnder (html: string, heading: string): string[][] {
  const start = html.indexOf(`<h2>${heading}`)
  if (start < 0) throw new Error(`no section "${heading}" on the page`)
  const rest = html.slice(start + 4)
  const section = rest.slice(0, rest.indexOf('<h2>') < 0 ? undefined : rest.indexOf('<h2>'))
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)?.[1]
  if (body === undefined) return []
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...(r[1] ?? '').matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => decode(c[1] ?? '')))
}

function headingOf (html: string, heading: string): string {
  const m = new RegExp(`<h2>(${heading}[^<]*)</h2>`).exec(html)
  if (m?.[1] === undefined) throw new Error(`no heading "${heading}"`)
  return decode(m[1])
}

describe('status page content (server-rendered, plain HTTP)', () => {
  let t: TestBridge
  let report: ReconcileReport
  const ids: Record<string, string> = {}

  const page = async (q = '', auth = `Bearer ${TEST_TOKEN}`): Promise<{ status: number, html: string }> => {
    const res = await fetch(`${t.url}/status${q === '' ? '' : `?q=${encodeURIComponent(q)}`}`, { headers: { authorization: auth } })
    return { status: res.status, html: await res.text() }
  }
  const create = async (email: string): Promise<string> => {
    const res = await t.scim('POST', '/Users', { schemas: [USER], userName: email, active: true })
    expect(res.status, email).toBe(201)
    return res.body.id as string
  }

  beforeAll(async () => {
    t = await startTestBridge({ env: { ADMIN_TOKEN } })
    // Someone added by hand in the Sinch dashboard: drift the bridge reports and never touches.
    await t.simControl.call('POST', 'seed', { members: [{ project_id: 'p1', email: 'outsider@example.com', role: 'ADMIN', status: 'ACTIVE' }] })
    ids.offboard = await create('offboard@example.com')
    ids.searchme = await create('searchme@example.com')
    report = await t.bridge.reconciler.runOnce()
    expect(report.ok).toBe(true)
    // Sinch refuses every removal for good: offboarding stands, the change is recorded as failed.
    await t.simControl.call('POST', 'faults', { route: 'remove', rate: 1, status: 403 })
    const off = await t.scim('PATCH', `/Users/${ids.offboard}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })
    expect(off.status).toBe(200)
    // Sinch is down for invites: the new user's change stays pending with the 503 as its last error.
    await t.simControl.call('POST', 'faults', { route: 'invite', rate: 1, status: 503 })
    ids.pending = await create('pending@example.com')
    await eventually(async () => (await t.bridge.store.listOpStates({ userId: ids.pending })).some((o) => o.state === 'pending'), 10_000)
  })
  afterAll(async () => { await t?.close() })

  it('lists a pending change with its last error', async () => {
    const { status, html } = await page()
    expect(status).toBe(200)
    const ops = rowsUnder(html, 'Pending and failed changes').filter((r) => r[0] === ids.pending)
    expect(ops.map((r) => `${r[1] ?? ''}:${r[2] ?? ''}`).sort()).toEqual(['p1:pending', 'p2:pending'])
    for (const r of ops) {
      expect(Number(r[3])).toBeGreaterThanOrEqual(1)
      expect(r[4]).toMatch(/503|unavailable/i)
    }
    // The stored error is what the page prints, not a placeholder.
    const stored = (await t.bridge.store.listOpStates({ userId: ids.pending })).find((o) => o.projectId === 'p1')
    expect(ops.find((r) => r[1] === 'p1')?.[4]).toBe(stored?.lastError)
    const audit = rowsUnder(html, 'Recent changes').filter((r) => r[2] === 'pending@example.com')
    expect(audit.length).toBeGreaterThan(0)
    expect(audit.every((r) => r[3] === 'invite → MEMBER' && r[4] === 'transient')).toBe(true)
    // Nothing reached Sinch, so the user is not listed as a member of any project yet.
    expect(html.match(/pending@example\.com/g)?.length).toBe(audit.length)
  })

  it('lists a change Sinch refused as failed, next to the member it concerns', async () => {
    const { html } = await page()
    const ops = rowsUnder(html, 'Pending and failed changes').filter((r) => r[0] === ids.offboard)
    expect(ops.map((r) => `${r[1] ?? ''}:${r[2] ?? ''}`).sort()).toEqual(['p1:failed', 'p2:failed'])
    expect(ops.every((r) => (r[4] ?? '').length > 0)).toBe(true)
    // Still in Sinch (the removal was refused): the member row carries the same error.
    const member = rowsUnder(html, 'Project p1').find((r) => r[0] === 'offboard@example.com')
    expect(member?.[4]).toBe(ids.offboard)
    expect(member?.[5]).toBe(ops.find((r) => r[1] === 'p1')?.[4])
    const audit = rowsUnder(html, 'Recent changes').filter((r) => r[2] === 'offboard@example.com' && r[3] === 'remove')
    // The request path and the queue worker may each try once: every try is recorded, none succeeded.
    expect([...new Set(audit.map((r) => `${r[1] ?? ''}:${r[4] ?? ''}`))].sort()).toEqual(['p1:failed', 'p2:failed'])
  })

  it('shows the last reconcile and the drift it found, without listing unmanaged members as managed', async () => {
    const { html } = await page()
    expect(decode(/<strong id="last-reconcile">([\s\S]*?)<\/strong>/.exec(html)?.[1] ?? '')).toBe(`${report.finishedAt} — ok in ${report.durationMs} ms`)
    const drift = rowsUnder(html, 'Drift (last reconcile)')
    expect(drift).toEqual([
      ['p1', '3', '2', '1', 'outsider@example.com', '0'],
      ['p2', '2', '2', '0', '', '0']
    ])
    expect(rowsUnder(html, 'Project p1').map((r) => r[0]).sort()).toEqual(['offboard@example.com', 'searchme@example.com'])
    expect(headingOf(html, 'Project p1')).toBe('Project p1 — 2 managed member(s)')
  })

  it('search by email finds the user and only that user', async () => {
    const { status, html } = await page('SearchMe@Example.com')
    expect(status).toBe(200)
    expect(html).toContain('value="SearchMe@Example.com"')
    for (const p of ['p1', 'p2']) {
      expect(headingOf(html, `Project ${p}`)).toBe(`Project ${p} — 1 managed member(s) matching`)
      expect(rowsUnder(html, `Project ${p}`).map((r) => [r[0], r[1], r[2], r[4]])).toEqual([['searchme@example.com', 'MEMBER', 'PENDING', ids.searchme]])
    }
    const audit = rowsUnder(html, 'Recent changes')
    expect(audit.map((r) => `${r[1] ?? ''}:${r[2] ?? ''}:${r[3] ?? ''}`).sort()).toEqual(['p1:searchme@example.com:invite → MEMBER', 'p2:searchme@example.com:invite → MEMBER'])
    const none = await page('nobody@example.com')
    expect(rowsUnder(none.html, 'Project p1')).toEqual([])
    expect(none.html).toContain('No managed member matches.')
  })

  it('opens with ADMIN_TOKEN (Bearer or as the Basic password) and refuses a wrong one', async () => {
    const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
    for (const auth of [`Bearer ${ADMIN_TOKEN}`, basic('admin', ADMIN_TOKEN), basic('anyone', TEST_TOKEN)]) {
      const r = await page('', auth)
      expect(r.status, auth).toBe(200)
      expect(r.html).toContain('<h1>sinch-scim-bridge status</h1>')
    }
    for (const auth of [`Bearer ${ADMIN_TOKEN}x`, basic('admin', 'wrong-admin-token-0123456789'), basic(ADMIN_TOKEN, ''), `Bearer ${ADMIN_TOKEN.slice(0, -1)}`]) {
      const r = await page('', auth)
      expect(r.status, auth).toBe(401)
      expect(r.html).not.toContain('offboard@example.com')
    }
    // The admin token opens the page only; it is not a SCIM credential.
    expect((await t.scim('GET', '/Users', undefined, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(401)
  })
})

describe('status page of a large project (plain HTTP)', () => {
  let t: TestBridge
  beforeAll(async () => {
    t = await startTestBridge({ background: false })
    const at = new Date().toISOString()
    await t.bridge.store.upsertKnownMembers(Array.from({ length: 1200 }, (_, i) => ({
      projectId: 'p1', email: `m${String(i).padStart(4, '0')}@big.example`, sinchUserId: `s${i}`, role: 'MEMBER' as const, status: 'ACTIVE' as const, scimUserId: `u${i}`, origin: 'invited' as const, seenAt: at
    })))
    for (let i = 0; i < 300; i++) await t.bridge.store.setOpState({ userId: `u${i}`, projectId: 'p1', state: i < 250 ? 'pending' : 'failed', lastError: `error ${i}`, attempts: 1, updatedAt: at })
  })
  afterAll(async () => { await t?.close() })

  it('shows the first 200 members with the true total, counts every pending and failed change, and search still finds any member', async () => {
    const res = await fetch(`${t.url}/status`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
    const html = await res.text()
    expect(headingOf(html, 'Project p1')).toBe('Project p1 — 1200 managed member(s)')
    const rows = rowsUnder(html, 'Project p1')
    expect(rows).toHaveLength(200)
    expect(rows[0]?.[0]).toBe('m0000@big.example')
    expect(html).toContain('1000 more not shown; search by email.')
    // The pending error of a member shown is there even when its op is not among the newest listed.
    expect(rows.every((r, i) => r[5] === `error ${i}`)).toBe(true)
    expect(decode(/<p id="op-counts">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '')).toBe('250 pending, 50 failed.')
    expect(rowsUnder(html, 'Pending and failed changes')).toHaveLength(250)
    const found = await (await fetch(`${t.url}/status?q=m1199`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text()
    expect(rowsUnder(found, 'Project p1').map((r) => r[0])).toEqual(['m1199@big.example'])
  })
})
