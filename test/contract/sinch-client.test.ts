import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createManualClock, createSimulator, SIM_STYLES, type SimStyle, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js'
import type { LoggedRequest } from '../../src/simulator/request-log.js'
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
/** The style the simulator speaks and the client is told to speak, set by each describe.each block. */
let style: SimStyle = 'guide'
/** What a successful invite and delete answer in each style (v1: 200, as the Access Keys API does). */
const created = (): number => style === 'v1' ? 200 : 201
const deleted = (): number => style === 'v1' ? 200 : 204

async function setup (simOpts: SimulatorOptions = {}, clientOpts: Partial<SinchClientOptions> = {}): Promise<{ sim: Simulator, client: SinchClient, logs: string[] }> {
  sim = createSimulator({ projects: ['p1', 'p2'], keys: [KEY], bucket: { capacity: 500, refillPerSec: 500 }, apiStyle: style, ...simOpts })
  const url = await sim.listen(0)
  const logs: string[] = []
  const sink = new Writable({ write (c, _e, cb) { logs.push(String(c)); cb() } })
  client = createSinchClient({ apiUrl: url, authUrl: `${url}/oauth2/token`, keyId: KEY.id, keySecret: KEY.secret, authMode: 'oauth', apiStyle: style, retry: FAST_RETRY, logger: createLogger('debug', sink), ...clientOpts })
  return { sim, client, logs }
}

/** Attempts that give the client a reason to try again: refused before applying, or applied with the answer lost. */
const retryable = (r: LoggedRequest): boolean => r.dropped || r.status === 429 || r.status >= 500

/**
 * "Applied exactly once", from what the simulator saw rather than what the client says: per
 * (project, email) exactly one invite answered 2xx, and every attempt after the first follows an
 * attempt whose answer was lost or refused (so a 409 is only ever the retry of a lost invite,
 * never a second invite of its own). Returns the dropped answers and the error statuses answered
 * (409 included), so a test can prove its faults fired.
 */
function expectEachInviteAppliedOnce (s: Simulator, expected: string[]): { dropped: number, refused: Map<number, number> } {
  const byKey = new Map<string, LoggedRequest[]>()
  const refused = new Map<number, number>()
  let dropped = 0
  for (const r of s.control.requests().requests) {
    if (r.route !== 'invite') continue
    const k = `${String(r.projectId)}|${String((r.body as { email: string }).email).toLowerCase()}`
    byKey.set(k, [...(byKey.get(k) ?? []), r])
    if (r.dropped) dropped++
    else if (r.status >= 400) refused.set(r.status, (refused.get(r.status) ?? 0) + 1)
  }
  expect([...byKey.keys()].sort()).toEqual([...expected].sort())
  for (const [k, tries] of byKey) {
    const trail = tries.map((r) => `${r.status}${r.dropped ? ' dropped' : ''}`).join(', ')
    expect(tries.filter((r) => r.status >= 200 && r.status < 300), `${k}: ${trail}`).toHaveLength(1)
    tries.forEach((r, i) => {
      const prev = tries[i - 1]
      if (prev !== undefined) expect(retryable(prev), `${k}: attempt ${i + 1} is not explained by a lost or refused one (${trail})`).toBe(true)
    })
    // A 409 is the echo of our own applied invite, so it comes only after the 2xx.
    const firstOk = tries.findIndex((r) => r.status >= 200 && r.status < 300)
    tries.forEach((r, i) => { if (r.status === 409) expect(i, `${k}: ${trail}`).toBeGreaterThan(firstOk) })
  }
  return { dropped, refused }
}

describe.each(SIM_STYLES)('sinch client against the simulator (%s style)', (under) => {
  beforeEach(() => { style = under })
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
    expect(log().map((r) => `${r.route}:${r.status}`)).toEqual(['token:200', `invite:${created()}`, 'token:200', `invite:${created()}`])
    // The client's clock lags (a skewed host): Sinch answers "Jwt expired", the client refreshes once and retries.
    simClock.advance(10_000)
    await c.invite('p1', { email: 'skew@x.io', role: 'MEMBER' })
    expect(log().slice(4).map((r) => `${r.route}:${r.status}`)).toEqual(['invite:401', 'token:200', `invite:${created()}`])
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

  // A real 5/s bucket (capacity 5, refill 5 per second of wall-clock time, no clock tricks) per key
  // and project. 300 invites start at once, 50 in each of 6 projects, so every project's bucket
  // meets a burst ten times its capacity and needs (50 - 5) / 5 = 9 s of refill; the projects run in
  // parallel, so the storm lasts about 10-13 s. The client starts at its shipped rate (50/s, ten
  // times the limit) and, with no Retry-After to go by, must find the limit itself. Tested: every
  // invite applied exactly once (from the simulator's request log), no call refused for anything
  // but rate, the bucket did refuse calls and the client counted each, and far fewer calls were
  // refused than invites were made (typically 60-90: AIMD per project, not a retry storm).
  it('a 429 storm (real 5/s bucket per key and project) under 300 concurrent invites in 6 projects: each applied exactly once', async () => {
    const projects = Array.from({ length: 6 }, (_, i) => `storm-p${i}`)
    const { sim: s, client: c } = await setup({ projects, bucket: { capacity: 5, refillPerSec: 5 } }, { retry: { baseMs: 20, capMs: 500, maxAttempts: 100, deadlineMs: 60_000 } })
    const jobs = Array.from({ length: 300 }, (_, i) => ({ project: projects[i % projects.length] as string, email: `storm${i}@x.io` }))
    const started = Date.now()
    const results = await Promise.all(jobs.map(async (j) => await c.invite(j.project, { email: j.email, role: 'MEMBER' })))
    const elapsed = Date.now() - started
    expect(results.every((r) => !r.adopted)).toBe(true)
    const { dropped, refused } = expectEachInviteAppliedOnce(s, jobs.map((j) => `${j.project}|${j.email}`))
    expect(dropped).toBe(0)
    const limited = refused.get(429) ?? 0
    expect([...refused.keys()]).toEqual([429])
    expect(c.stats().rateLimited).toBe(limited)
    expect(limited).toBeGreaterThan(0)
    // Far fewer refusals than invites: a client that only backed off would collect several hundred.
    expect(limited).toBeLessThan(120)
    for (const p of projects) expect(s.control.dump(p).projects[p]).toHaveLength(50)
    // The bucket ran on real time: 45 invites beyond each bucket's capacity take 9 s to refill.
    expect(elapsed).toBeGreaterThanOrEqual(8_900)
  }, 30_000)

  it('rides out 20 % 503s and lost responses without a double invite (409 → adopt)', async () => {
    const { sim: s, client: c } = await setup({ seed: 7 })
    s.control.addFault({ route: 'any', rate: 0.2, status: 503 })
    s.control.addFault({ route: 'invite', drop: 10 })
    const results = await Promise.all(Array.from({ length: 60 }, async (_, i) => await c.invite('p1', { email: `f${i}@x.io`, role: 'MEMBER' })))
    expect(results.filter((r) => r.adopted).length).toBeGreaterThanOrEqual(1)
    const { dropped, refused } = expectEachInviteAppliedOnce(s, Array.from({ length: 60 }, (_, i) => `p1|f${i}@x.io`))
    // Both faults fired: every drop was used, and some invites met a 503.
    expect(dropped).toBe(10)
    expect(refused.get(503) ?? 0).toBeGreaterThan(0)
    // An adoption is exactly a 409 answering the retry of a lost invite.
    expect(results.filter((r) => r.adopted).length).toBe(refused.get(409) ?? 0)
    expect(s.control.requests().requests.filter((r) => r.route === 'remove')).toHaveLength(0)
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
    expect(s.control.requests().requests.filter((r) => r.route === 'remove').map((r) => r.status)).toEqual([deleted(), 404])
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

  // Keyset paging must survive changes on both sides of the cursor. Deleting members already
  // returned (the cursor member itself and one further back) shifts every later position left, so
  // offset paging would skip a survivor per deletion; deleting members ahead would make it repeat
  // none but must not show them. The simulator orders by creation, so a new member always lands
  // after the cursor: inserts before it in sort order cannot be produced, only inserts after it.
  it('pages across 1,050 members with deletes behind and ahead of the cursor and inserts between pages: no survivor skipped or repeated', async () => {
    const { sim: s, client: c } = await setup()
    s.control.seed({ count: { project_id: 'p1', n: 1050 } })
    const seen: Array<{ email: string, userId: string }> = []
    const seenEmails = new Set<string>()
    const deletedAhead = new Set<string>()
    const deletedBehind = new Set<string>()
    const inserted = new Set<string>()
    let page = 0
    for await (const m of c.listMembers('p1')) {
      seen.push({ email: m.email, userId: m.userId })
      seenEmails.add(m.email)
      if (seen.length % 100 !== 0) continue
      page++
      // Behind the cursor: the last member returned (the cursor itself) and one from an earlier page.
      for (const victim of [seen[seen.length - 1], seen[seen.length - 100 + page * 7]]) {
        if (victim === undefined || deletedBehind.has(victim.email)) continue
        expect(await c.removeMember('p1', victim.userId)).toEqual({ alreadyGone: false })
        deletedBehind.add(victim.email)
      }
      // Ahead of the cursor: a member not returned yet.
      const all = s.control.dump('p1').projects.p1 as Array<{ user_id: string, email: string }>
      const ahead = all[all.length - page * 3]
      if (ahead !== undefined && !seenEmails.has(ahead.email)) {
        await c.removeMember('p1', ahead.user_id)
        deletedAhead.add(ahead.email)
      }
      const email = `inserted${page}@x.io`
      await c.invite('p1', { email, role: 'READONLY' })
      inserted.add(email)
    }
    expect(page).toBe(10)
    expect(deletedBehind.size).toBe(20)
    expect(deletedAhead.size).toBe(10)
    expect(seen.length).toBe(seenEmails.size)
    // Exactly the survivors, each once: the seeded members (those deleted behind were already
    // returned) and every insert, minus those deleted before the listing reached them.
    const want = [...Array.from({ length: 1050 }, (_, i) => `member${i}@p1.example`), ...inserted].filter((e) => !deletedAhead.has(e))
    expect([...seenEmails].sort()).toEqual(want.sort())
    // 1,050 seen, 100 a page, no page fetched twice and no extra empty page.
    expect(seen.length).toBe(1050)
    expect(s.control.requests().requests.filter((r) => r.route === 'list').length).toBe(11)
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

  it('an outage meets a client-wide retry budget: 40 calls failing at once retry 5 times in all, not 40 × 12 attempts', async () => {
    const { sim: s, client: c } = await setup({}, { retryBudget: { max: 5, ratio: 0, minPerSecond: 0 } })
    s.control.addFault({ route: 'invite', status: 503, count: 1000 })
    const errors = await Promise.all(Array.from({ length: 40 }, async (_, i) => await c.invite('p1', { email: `o${i}@x.io`, role: 'MEMBER' }).then(() => null, (e: unknown) => e as SinchError)))
    expect(errors.every((e) => e?.code === 'SINCH_TRANSIENT')).toBe(true)
    // Each call is handed back at its first failure without a retry to spend; 5 got one first.
    expect(errors.every((e) => /retry budget is spent/.test(e?.message ?? ''))).toBe(true)
    expect(s.control.requests().requests.filter((r) => r.route === 'invite')).toHaveLength(40 + 5)
    expect(c.stats().retriesRefused).toBe(40)
  })

  it('429s are paced by the limiter and never charged to the retry budget', async () => {
    const { sim: s, client: c } = await setup({}, { retryBudget: { max: 1, ratio: 0, minPerSecond: 0 } })
    // Five 429s in a row for one invite: all retried although the budget holds one retry.
    s.control.addFault({ route: 'invite', status: 429, count: 5 })
    await c.invite('p1', { email: 'paced@x.io', role: 'MEMBER' })
    expect(s.control.requests().requests.filter((r) => r.route === 'invite').map((r) => r.status)).toEqual([429, 429, 429, 429, 429, created()])
    expect(c.stats().retriesRefused).toBe(0)
    // The budget's one retry is still there: a 503 is retried once, the second 503 is handed back.
    s.control.addFault({ route: 'invite', status: 503, count: 2 })
    const err = await c.invite('p1', { email: 'late@x.io', role: 'MEMBER' }).then(() => null, (e: unknown) => e as SinchError)
    expect(err?.message).toMatch(/retry budget is spent/)
    expect(s.control.requests().requests.filter((r) => r.route === 'invite' && (r.body as { email: string }).email === 'late@x.io').map((r) => r.status)).toEqual([503, 503])
    expect(c.stats().retriesRefused).toBe(1)
  })

  it('works in Basic mode without a token endpoint', async () => {
    const { sim: s, client: c } = await setup({}, { authMode: 'basic' })
    await c.invite('p1', { email: 'b@x.io', role: 'MEMBER' })
    expect(s.control.requests().requests.filter((r) => r.route === 'token')).toHaveLength(0)
    expect(s.control.dump('p1').projects.p1).toHaveLength(1)
  })
})
