import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { createManualClock, createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js'
import { createSinchClient, SinchError, type SinchClient, type SinchClientOptions } from '../../src/sinch/index.js'
import { createLogger } from '../../src/observability/logger.js'

const KEY = { id: 'client-key', secret: 'client-secret-never-logged-7' }
let sim: Simulator | null = null
let client: SinchClient | null = null
afterEach(async () => {
  await client?.close()
  await sim?.close()
  client = null
  sim = null
})

const FAST_RETRY = { baseMs: 20, capMs: 400, maxAttempts: 12, deadlineMs: 30_000 }

async function setup (simOpts: SimulatorOptions = {}, clientOpts: Partial<SinchClientOptions> = {}): Promise<{ sim: Simulator, client: SinchClient, logs: string[] }> {
  sim = createSimulator({ projects: ['p1', 'p2'], keys: [KEY], bucket: { capacity: 500, refillPerSec: 500 }, ...simOpts })
  const url = await sim.listen(0)
  const logs: string[] = []
  const sink = new Writable({ write (c, _e, cb) { logs.push(String(c)); cb() } })
  client = createSinchClient({ apiUrl: url, authUrl: `${url}/oauth2/token`, keyId: KEY.id, keySecret: KEY.secret, authMode: 'oauth', retry: FAST_RETRY, logger: createLogger('debug', sink), ...clientOpts })
  return { sim, client, logs }
}

function successfulInvites (s: Simulator): Map<string, number> {
  const counts = new Map<string, number>()
  for (const r of s.control.requests().requests) {
    if (r.route !== 'invite' || r.status >= 300) continue
    const k = `${r.projectId}|${String((r.body as { email: string }).email).toLowerCase()}`
    counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return counts
}

/** The simulator's clock runs `factor` times faster than real time (so a 5/s bucket tests quickly). */
function fastClock (factor: number): { now: () => number } {
  const start = Date.now()
  return { now: () => start + (Date.now() - start) * factor }
}

describe('sinch client against the simulator', () => {
  it('refreshes 3-second tokens that expire mid-run and never logs a token or the secret', async () => {
    const { sim: s, client: c, logs } = await setup({ tokenLifetimeSec: 3 })
    for (let i = 0; i < 8; i++) {
      await c.invite('p1', { email: `t${i}@x.io`, role: 'MEMBER' })
      await new Promise((r) => setTimeout(r, 500))
    }
    const tokenCalls = s.control.requests().requests.filter((r) => r.route === 'token')
    expect(tokenCalls.length).toBeGreaterThanOrEqual(2)
    // Refreshed ahead of expiry: Sinch never had to refuse an expired token.
    expect(s.control.requests().requests.filter((r) => r.status === 401)).toHaveLength(0)
    expect(s.control.dump('p1').projects.p1).toHaveLength(8)
    const all = logs.join('\n')
    expect(all).not.toContain(KEY.secret)
    expect(all).not.toMatch(/Bearer\s+\S+/)
    expect(all).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/)
  }, 20_000)

  it('after an idle spell past expiry fetches a new token first; when Sinch alone sees it expired, refreshes once on the 401', async () => {
    const simClock = createManualClock()
    const clientClock = createManualClock(simClock.now())
    const { sim: s, client: c } = await setup({ tokenLifetimeSec: 3, clock: simClock }, { now: clientClock.now })
    await c.invite('p1', { email: 'idle1@x.io', role: 'MEMBER' })
    simClock.advance(10_000)
    clientClock.advance(10_000)
    await c.invite('p1', { email: 'idle2@x.io', role: 'MEMBER' })
    const log = (): Array<{ route: string, status: number }> => s.control.requests().requests
    expect(log().map((r) => `${r.route}:${r.status}`)).toEqual(['token:200', 'invite:201', 'token:200', 'invite:201'])
    // The client's clock lags (a skewed host): Sinch answers "Jwt expired", the client refreshes once and retries.
    simClock.advance(10_000)
    await c.invite('p1', { email: 'skew@x.io', role: 'MEMBER' })
    expect(log().slice(4).map((r) => `${r.route}:${r.status}`)).toEqual(['invite:401', 'token:200', 'invite:201'])
    expect(s.control.dump('p1').projects.p1).toHaveLength(3)
  })

  it('refreshes once on a 401 and then reports rejected credentials for a revoked key', async () => {
    const { sim: s, client: c } = await setup()
    await c.fetchToken()
    s.control.revokeKey(KEY.id)
    const err = await c.invite('p1', { email: 'a@x.io', role: 'MEMBER' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SinchError)
    expect((err as SinchError).code).toBe('SINCH_AUTH')
    expect((err as SinchError).message).toMatch(/credentials rejected/)
    expect((err as SinchError).message).not.toContain(KEY.secret)
  })

  // The bucket is 5/s of simulator time; the simulator's clock runs 10× so the storm lasts seconds, not a minute.
  it('a 429 storm (bucket 5/s) under 300 concurrent invites: each applied exactly once', async () => {
    const { sim: s, client: c } = await setup({ bucket: { capacity: 5, refillPerSec: 5 }, clock: fastClock(10) }, { limiter: { initialRate: 300 }, retry: { baseMs: 20, capMs: 500, maxAttempts: 100, deadlineMs: 60_000 } })
    const results = await Promise.all(Array.from({ length: 300 }, async (_, i) => await c.invite(i % 2 === 0 ? 'p1' : 'p2', { email: `storm${i}@x.io`, role: 'MEMBER' })))
    const refused = s.control.requests().requests.filter((r) => r.status === 429).length
    expect(results.every((r) => !r.adopted)).toBe(true)
    const counts = successfulInvites(s)
    expect(counts.size).toBe(300)
    expect([...counts.values()].every((n) => n === 1)).toBe(true)
    expect(c.stats().rateLimited).toBe(refused)
    expect(refused).toBeGreaterThan(0)
    // AIMD found the limit: far fewer refusals than invites, not a retry storm (typically ~20).
    expect(refused).toBeLessThan(100)
  }, 60_000)

  it('rides out 20 % 503s and lost responses without a double invite (409 → adopt)', async () => {
    const { sim: s, client: c } = await setup({ seed: 7 })
    s.control.addFault({ route: 'any', rate: 0.2, status: 503 })
    s.control.addFault({ route: 'invite', drop: 10 })
    const results = await Promise.all(Array.from({ length: 60 }, async (_, i) => await c.invite('p1', { email: `f${i}@x.io`, role: 'MEMBER' })))
    expect(results.filter((r) => r.adopted).length).toBeGreaterThanOrEqual(1)
    const counts = successfulInvites(s)
    expect(counts.size).toBe(60)
    expect([...counts.values()].every((n) => n === 1)).toBe(true)
    expect(s.control.dump('p1').projects.p1).toHaveLength(60)
  }, 30_000)

  it('a lost answer to a PATCH or a DELETE converges: the PATCH is repeated, the DELETE meets 404 and counts as done', async () => {
    const { sim: s, client: c } = await setup()
    s.control.seed({ members: [{ project_id: 'p1', email: 'active@x.io', role: 'MEMBER' }] })
    const m = await c.findMemberByEmail('p1', 'ACTIVE@x.io')
    expect(m).not.toBeNull()
    const userId = (m as { userId: string }).userId
    s.control.addFault({ route: 'update', drop: 1 })
    expect(await c.updateMember('p1', userId, { role: 'ADMIN' })).toMatchObject({ userId, role: 'ADMIN' })
    s.control.addFault({ route: 'remove', drop: 1 })
    expect(await c.removeMember('p1', userId)).toEqual({ alreadyGone: true })
    expect(s.control.dump('p1').projects.p1).toHaveLength(0)
    expect(s.control.requests().requests.filter((r) => r.route === 'remove').map((r) => r.status)).toEqual([204, 404])
  })

  it('adopts on 409 with and without resourceName, and when the invite answer has no user_id', async () => {
    const { sim: s, client: c } = await setup()
    s.control.seed({ members: [{ project_id: 'p1', email: 'Old@X.io', role: 'ADMIN' }] })
    const a = await c.invite('p1', { email: 'old@x.io', role: 'MEMBER' })
    expect(a).toMatchObject({ adopted: true, member: { email: 'Old@X.io', role: 'ADMIN' } })
    s.control.configure({ includeResourceName: false, omitUserIdOnInvite: true, errorShape: 'empty' })
    expect((await c.invite('p1', { email: 'OLD@x.io', role: 'MEMBER' })).adopted).toBe(true)
    const fresh = await c.invite('p1', { email: 'new@x.io', role: 'MEMBER' })
    expect(fresh.adopted).toBe(false)
    expect(fresh.member.userId).not.toBe('')
  })

  it('pages across 1,050 members with inserts and deletes between pages: no survivor skipped or repeated', async () => {
    const { sim: s, client: c } = await setup()
    s.control.seed({ count: { project_id: 'p1', n: 1050 } })
    const seen: string[] = []
    let page = 0
    const deleted = new Set<string>()
    for await (const m of c.listMembers('p1')) {
      seen.push(m.email)
      if (seen.length % 100 === 0) {
        page++
        const all = s.control.dump('p1').projects.p1 as Array<{ user_id: string, email: string }>
        const victim = all[all.length - page * 3]
        if (victim !== undefined) {
          await c.removeMember('p1', victim.user_id)
          deleted.add(victim.email)
        }
        await c.invite('p1', { email: `inserted${page}@x.io`, role: 'READONLY' })
      }
    }
    expect(new Set(seen).size).toBe(seen.length)
    for (let i = 0; i < 1050; i++) {
      const e = `member${i}@p1.example`
      if (!deleted.has(e)) expect(seen).toContain(e)
    }
    expect(s.control.requests().requests.filter((r) => r.route === 'list').length).toBe(Math.ceil(seen.length / 100) + (seen.length % 100 === 0 ? 1 : 0))
  }, 30_000)

  it('maps every error shape, and empty or non-JSON bodies, to typed errors', async () => {
    const { sim: s, client: c } = await setup()
    for (const shape of ['google', 'problem', 'text', 'empty'] as const) {
      s.control.configure({ errorShape: shape })
      const err = await c.invite('p1', { email: 'not-an-email', role: 'MEMBER' }).catch((e: unknown) => e) as SinchError
      expect(err.code).toBe('SINCH_PERMANENT')
      expect(err.status).toBe(400)
      if (shape === 'google') expect(err.fieldViolations[0]?.field).toBe('email')
    }
    s.control.configure({ errorShape: 'google' })
    const forbidden = await c.updateMember('zzz', 'u', { role: 'ADMIN' }).catch((e: unknown) => e) as SinchError
    expect(forbidden.code).toBe('SINCH_PERMANENT')
    expect(forbidden.status).toBe(403)
    expect(forbidden.message).toContain('does not have access to projects/zzz')
    const pending = await c.invite('p2', { email: 'pending@x.io', role: 'MEMBER' })
    const suspend = await c.updateMember('p2', pending.member.userId, { status: 'SUSPENDED' }).catch((e: unknown) => e) as SinchError
    expect(suspend).toMatchObject({ code: 'SINCH_PERMANENT', status: 400 })
    s.control.configure({ unknownProject: '404' })
    const elsewhere = await c.listPage('eu-project').catch((e: unknown) => e) as SinchError
    expect(elsewhere).toMatchObject({ code: 'SINCH_NOT_FOUND', status: 404, operation: 'list' })
    const gone = await c.updateMember('p1', 'nobody', { role: 'ADMIN' }).catch((e: unknown) => e) as SinchError
    expect(gone.code).toBe('SINCH_NOT_FOUND')
    expect(await c.removeMember('p1', 'nobody')).toEqual({ alreadyGone: true })
    s.control.configure({ deleteStyle: 200, nextPageTokenStyle: 'camel', inviteStatus: 200 })
    const inv = await c.invite('p2', { email: 'ok@x.io', role: 'MEMBER' })
    expect(inv.adopted).toBe(false)
    expect(await c.removeMember('p2', inv.member.userId)).toEqual({ alreadyGone: false })
    s.control.addFault({ route: 'list', status: 502, count: 2 })
    expect((await c.listPage('p1')).members).toEqual([])
  })

  it('gives up on persistent 503s with a transient error after its attempts', async () => {
    const { sim: s, client: c } = await setup({}, { retry: { baseMs: 5, capMs: 20, maxAttempts: 3, deadlineMs: 5_000 } })
    s.control.addFault({ route: 'invite', status: 503, count: 10 })
    const err = await c.invite('p1', { email: 'a@x.io', role: 'MEMBER' }).catch((e: unknown) => e) as SinchError
    expect(err.code).toBe('SINCH_TRANSIENT')
    expect(err.kind).toBe('transient')
    expect(s.control.requests().requests.filter((r) => r.route === 'invite')).toHaveLength(3)
  })

  it('works in Basic mode without a token endpoint', async () => {
    const { sim: s, client: c } = await setup({}, { authMode: 'basic' })
    await c.invite('p1', { email: 'b@x.io', role: 'MEMBER' })
    expect(s.control.requests().requests.filter((r) => r.route === 'token')).toHaveLength(0)
    expect(s.control.dump('p1').projects.p1).toHaveLength(1)
  })
})
