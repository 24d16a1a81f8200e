import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTestBridge, type TestBridge } from '../support/bridge.js'

const USERS = 200

/** How an IdP retries: on 5xx or a dropped connection, again; a 409 on a retry means "it worked". */
async function createLikeAnIdp (t: TestBridge, i: number): Promise<string> {
  const email = `user${i}@faults.example`
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      const res = await t.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, emails: [{ value: email, primary: true }], active: true })
      if (res.status === 201) return res.body.id
      if (res.status === 409) {
        const found = await t.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`)
        return found.body.Resources[0].id
      }
    } catch { /* connection trouble: retry like the IdP */ }
    await new Promise((r) => setTimeout(r, 50 * (attempt + 1)))
  }
  throw new Error(`could not create ${email}`)
}

describe('faults: 503s, 429 bursts, 3-second tokens, lost responses', () => {
  let t: TestBridge
  beforeAll(async () => {
    t = await startTestBridge({
      simulator: { tokenLifetimeSec: 3, bucket: { capacity: 20, refillPerSec: 40 } },
      bridge: { requestBudgetMs: 1_500 }
    })
    await t.simControl.call('POST', 'faults', { route: 'any', rate: 0.2, status: 503 })
    await t.simControl.call('POST', 'faults', { route: 'invite', drop: 15 })
    await t.simControl.call('POST', 'faults', { route: 'invite', status: 429, count: 30 })
  })
  afterAll(async () => { await t.close() })

  it('converges exactly: every user invited once in each project, nobody lost', async () => {
    const ids: string[] = []
    for (let i = 0; i < USERS; i += 20) {
      ids.push(...await Promise.all(Array.from({ length: Math.min(20, USERS - i) }, async (_, k) => await createLikeAnIdp(t, i + k))))
    }
    expect(new Set(ids).size).toBe(USERS)
    await eventually(async () => {
      const depth = await t.bridge.store.queueDepth()
      const p1 = await t.simControl.members('p1')
      const p2 = await t.simControl.members('p2')
      return depth.depth === 0 && p1.length === USERS && p2.length === USERS
    }, 90_000, 250)
    await t.simControl.call('DELETE', 'faults')
    for (const p of ['p1', 'p2']) {
      const emails = (await t.simControl.members(p)).map((m) => m.email.toLowerCase())
      expect(new Set(emails).size).toBe(USERS)
      for (let i = 0; i < USERS; i++) expect(emails).toContain(`user${i}@faults.example`)
    }
    const counts = await t.simControl.inviteCounts()
    const doubled = [...counts].filter(([, n]) => n > 1)
    expect(doubled).toEqual([])
    expect(counts.size).toBe(USERS * 2)
    // The faults really happened: tokens were refreshed and some calls were refused.
    const requests = await t.simControl.requests()
    expect(requests.filter((r) => r.route === 'token').length).toBeGreaterThan(1)
    expect(requests.filter((r) => r.status === 503).length).toBeGreaterThan(0)
    expect(requests.filter((r) => r.status === 429).length).toBeGreaterThan(0)
  }, 180_000)
})
