import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../../src/observability/metrics.js'
import { createSampler, totalsFromMetrics, type Totals } from '../../../src/observability/sampler.js'

describe('console sampler', () => {
  it('reads totals from the metrics the bridge keeps: Sinch calls by outcome, SCIM requests by status class', async () => {
    const m = createMetrics()
    m.sinchCalls.inc({ operation: 'invite', outcome: 'ok' }, 3)
    m.sinchCalls.inc({ operation: 'remove', outcome: 'not_found' })
    m.sinchCalls.inc({ operation: 'list', outcome: 'rate_limited' }, 2)
    m.sinchCalls.inc({ operation: 'invite', outcome: 'transient' })
    m.httpRequests.observe({ route: '/scim/v2/Users', method: 'POST', status: '201' }, 0.01)
    m.httpRequests.observe({ route: '/scim/v2/Users/:id', method: 'GET', status: '404' }, 0.01)
    m.httpRequests.observe({ route: '/scim/v2/Users', method: 'GET', status: '500' }, 0.01)
    // Not SCIM: the console and the ops routes do not count.
    m.httpRequests.observe({ route: '/status', method: 'GET', status: '200' }, 0.01)
    m.httpRequests.observe({ route: '/scim/v2x', method: 'GET', status: '200' }, 0.01)
    const t = await totalsFromMetrics(m, '/scim/v2', async () => 7, () => 42)()
    expect(t).toEqual({ at: 42, queueDepth: 7, sinch: { ok: 4, rateLimited: 2, failed: 1 }, scim: { ok: 1, clientError: 1, serverError: 1 } })
  })

  it('keeps a bounded ring, oldest first, and its timer stops', async () => {
    let n = 0
    const read = async (): Promise<Totals> => ({ at: n++, queueDepth: n, sinch: { ok: 0, rateLimited: 0, failed: 0 }, scim: { ok: 0, clientError: 0, serverError: 0 } })
    const s = createSampler({ read, intervalMs: 10, capacity: 3 })
    for (let i = 0; i < 5; i++) await s.sampleNow()
    expect(s.samples().map((x) => x.at)).toEqual([2, 3, 4])
    s.start()
    await new Promise((resolve) => setTimeout(resolve, 60))
    s.stop()
    const after = n
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(n).toBe(after)
    expect(after).toBeGreaterThan(6)
    expect(s.samples()).toHaveLength(3)
  })
})
