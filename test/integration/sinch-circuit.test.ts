import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, SIM_KEY, startTestBridge, TEST_TOKEN, type TestBridge } from '../support/bridge.js'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'

interface Check { name: string, ok: boolean, detail: string, circuit?: { state: string, since: string | null, failingSince: string | null, lastFailure: { at: string, reason: string } | null } }
interface Ready { status: string, checks: Check[] }

describe('the Sinch circuit through a simulated outage: /readyz, /metrics and the console agree', () => {
  let t: TestBridge
  let n = 0
  const ready = async (): Promise<{ status: number, sinch: Check, text: string }> => {
    const res = await fetch(`${t.url}/readyz`)
    const text = await res.text()
    const sinch = (JSON.parse(text) as Ready).checks.find((c) => c.name === 'sinch')
    if (sinch === undefined) throw new Error('no sinch check')
    return { status: res.status, sinch, text }
  }
  const metric = async (state: string): Promise<number> => {
    const text = await (await fetch(`${t.url}/metrics`)).text()
    return Number(new RegExp(`^bridge_sinch_circuit_state\\{state="${state}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 'NaN')
  }
  const overview = async (): Promise<string> => await (await fetch(`${t.url}/status`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text()
  /** One new user: two invites (p1 and p2, the default projects), each a Sinch call. */
  const create = async (): Promise<void> => {
    n++
    const res = await t.scim('POST', '/Users', { schemas: [USER], userName: `circuit${n}@example.com`, active: true })
    expect(res.status).toBe(201)
  }

  beforeAll(async () => {
    t = await startTestBridge({
      // One project at a time: a counted fault then fails one call's two attempts, not the
      // first attempt of two calls sent side by side.
      env: { SINCH_UNREADY_AFTER_SECONDS: '1', SINCH_PROJECTS_AT_ONCE: '1' },
      background: false,
      bridge: {
        sinchCircuit: { size: 10, openAfter: 3, maxAgeMs: 3_000 },
        sinchRetry: { baseMs: 5, capMs: 20, maxAttempts: 2, deadlineMs: 2_000 }
      }
    })
  })
  afterAll(async () => { await t?.close() })

  it('closed at start; degraded after one failed call; open when every call fails, and not ready once open past the window; closed and ready again after recovery', async () => {
    await create()
    const start = await ready()
    expect(start.status).toBe(200)
    expect(start.sinch.circuit?.state).toBe('closed')
    expect(start.sinch.detail).toMatch(/^circuit closed; /)
    expect(await metric('closed')).toBe(1)
    expect(await overview()).not.toContain('id="sinch-circuit"')

    // One call fails both its attempts, the next succeeds: degraded, still ready.
    await t.simControl.call('POST', 'faults', { route: 'invite', status: 503, count: 2 })
    await create()
    const degraded = await ready()
    expect(degraded.status).toBe(200)
    expect(degraded.sinch).toMatchObject({ ok: true, circuit: { state: 'degraded', lastFailure: { reason: 'invite: server error (503)' } } })
    expect(degraded.sinch.detail).toMatch(/^circuit degraded since .*: 1 of the last \d+ calls failed; last failure .*: invite: server error \(503\)$/)
    expect(await metric('degraded')).toBe(1)
    expect(await overview()).toMatch(/<p class="alert warn" id="sinch-circuit"[^>]*><strong>Sinch is degraded:<\/strong> 1 of the last/)

    // Sinch down for everything: open at once, ready for the first second, then 503.
    await t.simControl.call('POST', 'faults', { route: 'any', rate: 1, status: 503 })
    await create()
    await create()
    const open = await ready()
    expect(open.sinch.circuit?.state).toBe('open')
    expect(open.sinch.circuit?.failingSince).not.toBeNull()
    expect(open.sinch.detail).toMatch(/^circuit open: every call failing since /)
    expect(await metric('open')).toBe(1)
    expect(await metric('closed')).toBe(0)
    const page = await overview()
    expect(page).toMatch(/<p class="alert bad" id="sinch-circuit"[^>]*><strong>Sinch is failing:<\/strong>/)
    expect(page).toContain('server error (503)')
    await eventually(async () => (await ready()).status === 503, 5_000)
    const unready = await ready()
    expect(unready.sinch).toMatchObject({ ok: false, circuit: { state: 'open' } })
    expect(unready.sinch.detail).toMatch(/not ready: open longer than 1 s$/)
    // The reason is the bridge's own words: no key, no token, no text from Sinch.
    expect(unready.text).not.toContain(SIM_KEY.secret)
    expect(unready.text).not.toMatch(/Bearer|Basic /)
    const metrics = await (await fetch(`${t.url}/metrics`)).text()
    expect(Number(/^bridge_sinch_call_failures_total\{kind="server_error"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(5)

    // Sinch answers again: the next call succeeds, the bridge is ready at once (degraded), and
    // closed once the failures are older than the circuit looks back.
    await t.simControl.call('DELETE', 'faults')
    await create()
    const recovering = await ready()
    expect(recovering.status).toBe(200)
    expect(recovering.sinch.circuit?.state).toBe('degraded')
    await eventually(async () => (await ready()).sinch.circuit?.state === 'closed', 8_000)
    const closed = await ready()
    expect(closed.status).toBe(200)
    expect(closed.sinch.detail).toMatch(/^circuit closed; /)
    expect(await metric('closed')).toBe(1)
    expect(await overview()).not.toContain('id="sinch-circuit"')
  })
})

describe('SINCH_UNREADY_AFTER_SECONDS=0', () => {
  it('keeps the bridge ready however long the circuit is open, and says it is open', async () => {
    const t = await startTestBridge({ env: { SINCH_UNREADY_AFTER_SECONDS: '0' }, background: false, bridge: { sinchCircuit: { openAfter: 2 }, sinchRetry: { baseMs: 5, capMs: 20, maxAttempts: 2, deadlineMs: 2_000 } } })
    try {
      await t.simControl.call('POST', 'faults', { route: 'any', rate: 1, status: 503 })
      expect((await t.scim('POST', '/Users', { schemas: [USER], userName: 'zero@example.com', active: true })).status).toBe(201)
      await new Promise((resolve) => setTimeout(resolve, 1_100))
      const res = await fetch(`${t.url}/readyz`)
      const sinch = (await res.json() as Ready).checks.find((c) => c.name === 'sinch')
      expect(res.status).toBe(200)
      expect(sinch?.circuit?.state).toBe('open')
    } finally {
      await t.close()
    }
  })
})

describe('an open circuit with nothing queued', () => {
  it('is rechecked by /readyz itself: ready again soon after Sinch answers, with no SCIM call and no reconcile', async () => {
    const t = await startTestBridge({
      env: { SINCH_UNREADY_AFTER_SECONDS: '1' },
      background: false,
      bridge: { readinessRecheckMs: 200, sinchCircuit: { openAfter: 2, maxAgeMs: 60_000 }, sinchRetry: { baseMs: 5, capMs: 20, maxAttempts: 2, deadlineMs: 2_000 } }
    })
    try {
      await t.simControl.call('POST', 'faults', { route: 'any', rate: 1, status: 503 })
      expect((await t.scim('POST', '/Users', { schemas: [USER], userName: 'idle@example.com', active: true })).status).toBe(201)
      await eventually(async () => (await fetch(`${t.url}/readyz`)).status === 503, 5_000)
      await t.simControl.call('DELETE', 'faults')
      // Only /readyz polls from here on: its own one-member listing is the call that succeeds.
      await eventually(async () => (await fetch(`${t.url}/readyz`)).status === 200, 5_000)
      const sinch = (await (await fetch(`${t.url}/readyz`)).json() as Ready).checks.find((c) => c.name === 'sinch')
      expect(sinch?.circuit?.state).toBe('degraded')
    } finally {
      await t.close()
    }
  })
})
