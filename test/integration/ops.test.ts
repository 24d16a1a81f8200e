import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBridge, type TestBridge } from '../support/bridge.js'

const METRICS_TOKEN = 'metrics-token-0123456789abcdef'

describe('health, readiness and metrics', () => {
  let t: TestBridge
  beforeAll(async () => { t = await startTestBridge({ env: { METRICS_TOKEN } }) })
  afterAll(async () => { await t.close() })

  it('/healthz needs no token; /readyz reports each check', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200)
    const ready = await fetch(`${t.url}/readyz`)
    const body = await ready.json() as { status: string, checks: Array<{ name: string, ok: boolean }> }
    expect(ready.status).toBe(200)
    expect(body.checks.map((c) => `${c.name}:${String(c.ok)}`)).toEqual(['store:true', 'sinch:true', 'reconciler:true'])
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
