import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBridge, TEST_TOKEN, type TestBridge } from '../support/bridge.js'
import { rows, textOf } from '../support/console-page.js'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'


describe('console: the queue count and the queued users agree on every page', () => {
  let t: TestBridge
  const failing = ['fail-a@example.com', 'fail-b@example.com', 'fail-c@example.com', 'fail-d@example.com']
  const requeued = ['done-a@example.com', 'done-b@example.com']
  const get = async (path: string): Promise<string> => await (await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text()
  const create = async (userName: string): Promise<string> => {
    const res = await t.scim('POST', '/Users', { schemas: [USER], userName, active: true })
    expect(res.status, userName).toBe(201)
    return res.body.id as string
  }

  beforeAll(async () => {
    t = await startTestBridge({ background: false, bridge: { sinchRetry: { baseMs: 5, capMs: 20, maxAttempts: 2, deadlineMs: 2_000 } } })
    // Two users reach Sinch; later a reconcile queues them again (their changes are all done).
    const done = await Promise.all(requeued.map(create))
    // Sinch fails everything: four more users stay queued with a pending change in each project.
    await t.simControl.call('POST', 'faults', { route: 'any', rate: 1, status: 503 })
    for (const u of failing) await create(u)
    await t.bridge.store.enqueue(done)
  })
  afterAll(async () => { await t?.close() })

  it('overview: the queue card, the failed card and the waiting list give one number, and list every queued user', async () => {
    const depth = (await t.bridge.store.queueDepth()).depth
    expect(depth).toBe(6)
    const html = await get('/status')
    expect(textOf(html, 'card-queue')).toMatch(/^Queue 6 waiting · oldest since /)
    expect(textOf(html, 'card-failed')).toBe('Failed changes 0 6 waiting')
    const waiting = rows(html, 'waiting')
    expect(waiting).toHaveLength(6)
    expect(waiting.map((r) => r[0]?.split(' ')[0]).sort()).toEqual([...failing, ...requeued].sort())
  })

  it('changes page: the same count, every queued user with why it waits (projects, retry, attempts, last error)', async () => {
    const html = await get('/status/changes')
    expect(textOf(html, 'op-counts')).toBe('0 failed, 6 waiting.')
    const waiting = rows(html, 'waiting')
    expect(waiting).toHaveLength(6)
    const byUser = new Map(waiting.map((r) => [r[0]?.split(' ')[0] ?? '', r]))
    for (const u of [...failing, ...requeued]) expect(html, u).toContain(u)
    for (const u of failing) {
      const r = byUser.get(u)
      expect(r?.[1], u).toBe('p1, p2')
      expect(r?.[2], u).toMatch(/^(now|in \d+ (s|min))$/)
      expect(r?.[3], u).toBe('1')
      expect(r?.[4], u).toMatch(/503/)
    }
    for (const u of requeued) expect(byUser.get(u)?.slice(1, 5), u).toEqual(['', 'now', '0', 'not tried yet'])
  })

  it('people and person pages say "waiting" for exactly the queued users', async () => {
    const people = rows(await get('/status/people'), 'people')
    expect(people.filter((r) => (r[4] ?? '').includes('waiting')).map((r) => r[0]?.split(' ')[0]).sort()).toEqual([...failing, ...requeued].sort())
    const id = (await t.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${failing[0] ?? ''}"`)}`)).body.Resources[0].id as string
    const line = textOf(await get(`/status/people/${id}`), 'person-queue')
    expect(line, line).toMatch(/^Waiting in the queue since .* ago ?: retry (now|in \d+ (s|min)) ?, 1 attempt\(s\), last error: .*503.*\.$/)
  })
})
