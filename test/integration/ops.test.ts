import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTestBridge, type TestBridge } from '../support/bridge.js'

const METRICS_TOKEN = 'metrics-token-0123456789abcdef'

describe('health, readiness and metrics', () => {
  let t: TestBridge
  beforeAll(async () => { t = await startTestBridge({ env: { METRICS_TOKEN } }) })
  afterAll(async () => { await t.close() })

  it('/healthz needs no token; /readyz reports each check', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200)
    const ready = await fetch(`${t.url}/readyz`)
    const body = await ready.json() as { status: string, checks: Array<{ name: string, ok: boolean, detail?: string }> }
    expect(ready.status).toBe(200)
    expect(body.checks.map((c) => `${c.name}:${String(c.ok)}`)).toEqual(['store:true', 'sinch:true', 'sinch-api-style:true', 'reconciler:true'])
    expect(body.checks.find((c) => c.name === 'sinch-api-style')?.detail).toBe('guide')
  })

  it('/readyz is 503 when Sinch refuses the credentials', async () => {
    const bad = await startTestBridge({ env: { SINCH_KEY_SECRET: 'not-the-secret-at-all' }, background: false })
    try {
      const res = await fetch(`${bad.url}/readyz`)
      expect(res.status).toBe(503)
      const body = await res.json() as { checks: Array<{ name: string, ok: boolean, detail: string }> }
      expect(body.checks.find((c) => c.name === 'sinch')).toMatchObject({ ok: false })
      expect(JSON.stringify(body)).not.toContain('not-the-secret-at-all')
    } finally {
      await bad.close()
    }
  })

  it('/metrics needs METRICS_TOKEN and counts requests, Sinch calls and the queue', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401)
    expect((await t.scim('POST', '/Users', { userName: 'metrics@example.com', active: true })).status).toBe(201)
    const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toMatch(/bridge_http_request_duration_seconds_count\{route="\/scim\/v2\/Users",method="POST",status="201"\} 1/)
    expect(text).toMatch(/bridge_sinch_calls_total\{operation="invite",outcome="ok"\} 2/)
    expect(text).toMatch(/bridge_sinch_changes_total\{action="invite",outcome="ok"\} 2/)
    expect(text).toMatch(/^bridge_queue_depth \d+$/m)
    expect(text).toMatch(/^bridge_reconcile_last_success_timestamp_seconds \d/m)
  })
})

/** The value of one sample line (`name{labels} value`); labels must be given in exposition order. */
function sample (text: string, name: string, labels = ''): number {
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const m = new RegExp(`^${esc(name)}${labels === '' ? '' : esc(`{${labels}}`)} (\\S+)$`, 'm').exec(text)
  if (m?.[1] === undefined) throw new Error(`no sample ${name}{${labels}} in:\n${text.split('\n').filter((l) => l.startsWith(name)).join('\n')}`)
  return Number(m[1])
}

describe('metrics carry real values', () => {
  let t: TestBridge
  const scrape = async (): Promise<string> => {
    const res = await fetch(`${t.url}/metrics`)
    expect(res.status).toBe(200)
    return await res.text()
  }
  beforeAll(async () => {
    t = await startTestBridge()
    // Three members nobody provisioned: the drift the next reconcile must count.
    await t.simControl.call('POST', 'seed', {
      members: [
        { project_id: 'p1', email: 'hand1@example.com', role: 'ADMIN', status: 'ACTIVE' },
        { project_id: 'p1', email: 'hand2@example.com', role: 'MEMBER', status: 'ACTIVE' },
        { project_id: 'p2', email: 'hand3@example.com', role: 'READONLY', status: 'ACTIVE' }
      ]
    })
  })
  afterAll(async () => { await t.close() })

  it('the HTTP latency histogram holds the time a SCIM create waited on Sinch', async () => {
    await t.simControl.call('POST', 'faults', { latencyMs: 150 })
    const started = Date.now()
    expect((await t.scim('POST', '/Users', { userName: 'slow@example.com', active: true })).status).toBe(201)
    const elapsed = (Date.now() - started) / 1000
    await t.simControl.call('DELETE', 'faults')
    const text = await scrape()
    const l = 'route="/scim/v2/Users",method="POST",status="201"'
    const b = (le: string): number => sample(text, 'bridge_http_request_duration_seconds_bucket', `le="${le}",${l}`)
    expect(sample(text, 'bridge_http_request_duration_seconds_count', l)).toBe(1)
    // Two invites at 150 ms each, sent side by side (p1 and p2): at least one call's 0.15 s,
    // never more than the client waited.
    const sum = sample(text, 'bridge_http_request_duration_seconds_sum', l)
    expect(sum).toBeGreaterThanOrEqual(0.15)
    expect(sum).toBeLessThanOrEqual(elapsed + 0.05)
    expect(b('0.1')).toBe(0)
    expect(b('+Inf')).toBe(1)
    expect(b('10')).toBe(1)
    expect(sample(text, 'bridge_sinch_call_duration_seconds_count', 'operation="invite"')).toBe(2)
    expect(sample(text, 'bridge_sinch_call_duration_seconds_sum', 'operation="invite"')).toBeGreaterThanOrEqual(0.3)
  })

  it('a reconcile sets its duration and the drift count of unmanaged members', async () => {
    await t.simControl.call('POST', 'faults', { latencyMs: 150 })
    const report = await t.bridge.reconciler.runOnce()
    await t.simControl.call('DELETE', 'faults')
    expect(report.ok).toBe(true)
    const text = await scrape()
    expect(sample(text, 'bridge_drift_members')).toBe(3)
    // One listing per project at 150 ms each.
    const duration = sample(text, 'bridge_reconcile_duration_seconds')
    expect(duration).toBeGreaterThanOrEqual(0.3)
    expect(duration).toBeCloseTo(report.durationMs / 1000, 3)
    expect(sample(text, 'bridge_reconcile_last_success_timestamp_seconds')).toBeCloseTo(Date.parse(report.finishedAt) / 1000, 3)
  })

  it('PROVISION_WAIT_MS=0: a create is answered at once while Sinch is slow, and provisioned in the background', async () => {
    const quick = await startTestBridge({ env: { PROVISION_WAIT_MS: '0' } })
    try {
      // Sinch answers after 3 s; the create is answered in well under 2 s (margin for a loaded CI machine).
      await quick.simControl.call('POST', 'faults', { latencyMs: 3000 })
      const started = Date.now()
      const res = await quick.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'quick@example.com' })
      expect(res.status).toBe(201)
      expect(Date.now() - started).toBeLessThan(2000)
      expect(await quick.simControl.members('p1')).toEqual([])
      await eventually(async () => (await quick.simControl.members('p1')).length === 1 && (await quick.simControl.members('p2')).length === 1, 15_000)
    } finally {
      await quick.close()
    }
  })

  it('failed calls handed back by the spent retry budget are counted', async () => {
    const tight = await startTestBridge({ env: { METRICS_TOKEN }, bridge: { sinchRetryBudget: { max: 0, ratio: 0, minPerSecond: 0 } } })
    try {
      await tight.simControl.call('POST', 'faults', { route: 'invite', status: 503, count: 2 })
      const res = await tight.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'budget@example.com' })
      expect(res.status).toBe(201) // durable; the queue retries it later
      const text = await (await fetch(`${tight.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text()
      expect(sample(text, 'bridge_sinch_retries_refused_total')).toBe(2)
    } finally {
      await tight.close()
    }
  })

  it('counts user reads served from kept documents and rendered, and the documents kept', async () => {
    const created = await t.scim('POST', '/Users', { userName: 'documents@example.com', active: true })
    const id = created.body.id as string
    const outcome = (text: string, o: string): number => sample(text, 'bridge_user_documents_total', `outcome="${o}"`)
    const before = await scrape()
    // Reads until one is served from the document an earlier one kept (provisioning may still
    // change the user, which drops its document, in between).
    await eventually(async () => {
      expect((await t.scim('GET', `/Users/${id}`)).status).toBe(200)
      await new Promise((r) => setTimeout(r, 80))
      return outcome(await scrape(), 'served') > outcome(before, 'served')
    }, 10_000)
    const after = await scrape()
    expect(outcome(after, 'rendered')).toBeGreaterThan(outcome(before, 'rendered'))
    expect(outcome(after, 'kept')).toBeGreaterThan(outcome(before, 'kept'))
    expect(outcome(after, 'failed')).toBe(0)
  })

  it('the oldest pending entry ages while Sinch is down, and drops to 0 once it is applied', async () => {
    expect(sample(await scrape(), 'bridge_queue_oldest_age_seconds')).toBe(0)
    await t.simControl.call('POST', 'faults', { route: 'invite', rate: 1, status: 503 })
    const queuedAt = Date.now()
    expect((await t.scim('POST', '/Users', { userName: 'queued@example.com', active: true })).status).toBe(201)
    await new Promise((r) => setTimeout(r, Math.max(0, 1_200 - (Date.now() - queuedAt))))
    const text = await scrape()
    const age = sample(text, 'bridge_queue_oldest_age_seconds')
    expect(age).toBeGreaterThanOrEqual(1)
    expect(age).toBeLessThanOrEqual((Date.now() - queuedAt) / 1000 + 0.05)
    expect(sample(text, 'bridge_queue_depth')).toBe(1)
    expect(sample(text, 'bridge_sinch_changes_total', 'action="invite",outcome="transient"')).toBeGreaterThanOrEqual(2)
    await t.simControl.call('DELETE', 'faults')
    await eventually(async () => sample(await scrape(), 'bridge_queue_depth') === 0, 10_000)
    expect(sample(await scrape(), 'bridge_queue_oldest_age_seconds')).toBe(0)
  })
})
