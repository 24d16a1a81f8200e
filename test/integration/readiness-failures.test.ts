import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTestBridge, type TestBridge } from '../support/bridge.js'

interface Ready { status: string, checks: Array<{ name: string, ok: boolean, detail: string }> }

async function readyz (t: TestBridge): Promise<{ status: number, body: Ready }> {
  const res = await fetch(`${t.url}/readyz`)
  return { status: res.status, body: await res.json() as Ready }
}

const failing = (r: Ready): string[] => r.checks.filter((c) => !c.ok).map((c) => c.name)

describe('/readyz names the check that fails', () => {
  // Started first, so its three intervals (3 x 5 s, the shortest RECONCILE_INTERVAL allowed) pass while the other test runs.
  let stuck: TestBridge
  beforeAll(async () => { stuck = await startTestBridge({ env: { RECONCILE_INTERVAL: '5' }, background: false }) })
  afterAll(async () => { await stuck?.close() })

  it('503 naming "store" when the database is gone', async () => {
    const t = await startTestBridge({ background: false })
    try {
      expect((await readyz(t)).status).toBe(200)
      await t.bridge.store.close()
      const { status, body } = await readyz(t)
      expect(status).toBe(503)
      expect(body.status).toBe('not ready')
      expect(failing(body)).toEqual(['store'])
      expect(body.checks.find((c) => c.name === 'store')?.detail).not.toBe('')
      // The process itself is still up: liveness and readiness answer differently on purpose.
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200)
    } finally {
      await t.close()
    }
  })

  it('503 naming "reconciler" when no reconcile finished within three intervals, and ready again after one', async () => {
    const first = await readyz(stuck)
    expect(first.status).toBe(200)
    expect(first.body.checks.find((c) => c.name === 'reconciler')).toMatchObject({ ok: true, detail: 'first reconcile pending' })
    // Its background loop never started: the reconciler is as stuck as one whose runs hang.
    await eventually(async () => (await readyz(stuck)).status === 503, 20_000, 250)
    const { body } = await readyz(stuck)
    expect(failing(body)).toEqual(['reconciler'])
    expect(body.checks.find((c) => c.name === 'reconciler')?.detail).toBe('no reconcile finished since start')
    const report = await stuck.bridge.reconciler.runOnce()
    expect(report.ok).toBe(true)
    const again = await readyz(stuck)
    expect(again.status).toBe(200)
    expect(again.body.checks.find((c) => c.name === 'reconciler')?.detail).toBe(`last run ${report.finishedAt}`)
  }, 25_000)
})

describe('/readyz in Basic auth mode (no token endpoint to probe)', () => {
  it('probes Sinch with a one-member listing of a managed project, one probe at a time, and fails when Sinch refuses the key', async () => {
    const t = await startTestBridge({ env: { SINCH_AUTH_MODE: 'basic' }, background: false })
    try {
      const lists = async (): Promise<Array<{ path: string }>> => (await t.simControl.requests()).filter((r) => r.route === 'list')
      // Three load-balancer polls at once: one real call (shared in flight, or fresh after it).
      const polls = await Promise.all([readyz(t), readyz(t), readyz(t)])
      expect(polls.map((p) => p.status)).toEqual([200, 200, 200])
      expect(polls[0]?.body.checks.find((c) => c.name === 'sinch')).toMatchObject({ ok: true })
      const first = await lists()
      expect(first.map((r) => r.path)).toEqual(['/projects/p1/members?page_size=1'])
      // A call answered within the hour is proof enough: no second probe.
      expect((await readyz(t)).status).toBe(200)
      expect((await lists()).length).toBe(1)
    } finally {
      await t.close()
    }
    const refused = await startTestBridge({ env: { SINCH_AUTH_MODE: 'basic' }, background: false })
    try {
      refused.sim.control.addFault({ route: 'list', status: 401, count: 100 })
      const { status, body } = await readyz(refused)
      expect(status).toBe(503)
      expect(failing(body)).toEqual(['sinch'])
    } finally {
      await refused.close()
    }
  })
})
