import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createManualClock, createSimulator, SIM_STYLES, type SimStyle, type Simulator } from '../../src/simulator/index.js'

const KEY = { id: 'k1', secret: 's1' }
let sim: Simulator | null = null

/**
 * How each style is spelled, written here from the documents (shared/sinch-api.md; Sinch's Access
 * Keys API for v1), not taken from src/simulator or src/sinch, so the suite checks both.
 */
const DIALECTS = {
  guide: { base: '', id: 'user_id', project: 'project_id', next: 'next_page_token', total: 'total_size', size: 'page_size', token: 'page_token', max: 100, created: 201, deleted: 204 },
  v1: { base: '/v1', id: 'userId', project: 'projectId', next: 'nextPageToken', total: 'totalSize', size: 'pageSize', token: 'pageToken', max: 1000, created: 200, deleted: 200 }
} as const
let style: SimStyle = 'guide'
let d: typeof DIALECTS[SimStyle] = DIALECTS.guide
afterEach(async () => { await sim?.close(); sim = null })

async function start (opts: Parameters<typeof createSimulator>[0] = {}): Promise<{ url: string, sim: Simulator }> {
  sim = createSimulator({ projects: ['p1', 'p2'], keys: [KEY, { id: 'owner', secret: 'os', ownerCapable: true }], bucket: { capacity: 1000, refillPerSec: 1000 }, apiStyle: style, ...opts })
  return { url: await sim.listen(0), sim }
}

async function token (url: string, key = KEY): Promise<string> {
  const res = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}` },
    body: 'grant_type=client_credentials'
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { access_token: string }).access_token
}

async function api (url: string, tok: string, method: string, path: string, body?: unknown): Promise<{ status: number, body: any, headers: Headers, text: string }> {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? null : JSON.stringify(body) })
  const text = await res.text()
  let parsed: unknown = null
  try { parsed = JSON.parse(text) } catch { parsed = null }
  return { status: res.status, body: parsed, headers: res.headers, text }
}

describe.each(SIM_STYLES)('simulator (%s style)', (under) => {
  beforeEach(() => { style = under; d = DIALECTS[under] })

  describe('simulator: tokens', () => {
    it('issues expiring tokens and answers the exact expiry header', async () => {
      const clock = createManualClock()
      const { url } = await start({ clock, tokenLifetimeSec: 3 })
      const form = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&client_id=${KEY.id}&client_secret=${KEY.secret}` })
      const json = await form.json() as { access_token: string, token_type: string, expires_in: number }
      expect(json).toMatchObject({ token_type: 'bearer', expires_in: 3 })
      expect((await api(url, json.access_token, 'GET', `${d.base}/projects/p1/members`)).status).toBe(200)
      clock.advance(3000)
      const expired = await api(url, json.access_token, 'GET', `${d.base}/projects/p1/members`)
      expect(expired.status).toBe(401)
      expect(expired.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="Jwt expired at 2026-01-01T00:00:03Z"')
    })

    it('rejects bad clients and grants, and a revoked key at once without "expired"', async () => {
      const { url, sim: s } = await start()
      const bad = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=k1&client_secret=nope' })
      expect(bad.status).toBe(401)
      expect(await bad.json()).toMatchObject({ error: 'invalid_client' })
      const grant = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password' })
      expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' })
      const tok = await token(url)
      s.control.revokeKey('k1')
      const res = await api(url, tok, 'GET', `${d.base}/projects/p1/members`)
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).not.toContain('expired')
    })

    it('accepts HTTP Basic with the key on every call', async () => {
      const { url } = await start()
      const res = await fetch(`${url}${d.base}/projects/p1/members`, { headers: { authorization: `Basic ${Buffer.from('k1:s1').toString('base64')}` } })
      expect(res.status).toBe(200)
    })
  })

  describe('simulator: members', () => {
    it('invites, conflicts with resourceName, changes role and status, removes', async () => {
      const { url, sim: s } = await start()
      const tok = await token(url)
      const inv = await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'Ann@Example.com', role: 'MEMBER' })
      expect(inv.status).toBe(d.created)
      expect(inv.body).toMatchObject({ email: 'Ann@Example.com', role: 'MEMBER', status: 'PENDING', [d.project]: 'p1' })
      const again = await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'ann@example.com', role: 'ADMIN' })
      expect(again.status).toBe(409)
      expect(again.body.error.status).toBe('ALREADY_EXISTS')
      expect(again.body.error.details[0].resourceName).toBe(`projects/p1/members/${inv.body[d.id]}`)
      const p2 = await api(url, tok, 'POST', `${d.base}/projects/p2/members`, { email: 'ann@example.com', role: 'READONLY' })
      expect(p2.body[d.id]).toBe(inv.body[d.id])
      const suspendPending = await api(url, tok, 'PATCH', `${d.base}/projects/p1/members/${inv.body[d.id]}`, { status: 'SUSPENDED' })
      expect(suspendPending.status).toBe(400)
      s.control.acceptInvites({ project_id: 'p1' })
      expect((await api(url, tok, 'PATCH', `${d.base}/projects/p1/members/${inv.body[d.id]}`, { role: 'ADMIN' })).body.role).toBe('ADMIN')
      expect((await api(url, tok, 'PATCH', `${d.base}/projects/p1/members/${inv.body[d.id]}`, { status: 'SUSPENDED' })).body.status).toBe('SUSPENDED')
      expect((await api(url, tok, 'DELETE', `${d.base}/projects/p1/members/${inv.body[d.id]}`)).status).toBe(d.deleted)
      expect((await api(url, tok, 'DELETE', `${d.base}/projects/p1/members/${inv.body[d.id]}`)).status).toBe(404)
      expect((await api(url, tok, 'PATCH', `${d.base}/projects/p1/members/nobody`, { role: 'ADMIN' })).status).toBe(404)
    })

    it('rejects invalid input with field violations and guards OWNER', async () => {
      const { url, sim: s } = await start()
      const tok = await token(url)
      const badEmail = await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'nope', role: 'MEMBER' })
      expect(badEmail.status).toBe(400)
      expect(badEmail.body.error.details[0].fieldViolations[0].field).toBe('email')
      expect((await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'a@b.io', role: 'GOD' })).body.error.details[0].fieldViolations[0].field).toBe('role')
      expect((await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'a@b.io', role: 'OWNER' })).status).toBe(403)
      s.control.seed({ members: [{ project_id: 'p1', email: 'boss@b.io', role: 'OWNER' }] })
      const boss = s.control.dump('p1').projects.p1?.[0] as { user_id: string }
      expect((await api(url, tok, 'PATCH', `${d.base}/projects/p1/members/${boss.user_id}`, { role: 'MEMBER' })).status).toBe(403)
      const ownerTok = await token(url, { id: 'owner', secret: 'os' })
      expect((await api(url, ownerTok, 'PATCH', `${d.base}/projects/p1/members/${boss.user_id}`, { role: 'MEMBER' })).status).toBe(400)
    })

    it('answers 403 for unknown or foreign projects, 404 with the knob', async () => {
      const { url, sim: s } = await start()
      const tok = await token(url)
      const res = await api(url, tok, 'GET', `${d.base}/projects/zzz/members`)
      expect(res.status).toBe(403)
      expect(res.body.error.message).toContain('does not have access to projects/zzz')
      s.control.configure({ unknownProject: '404' })
      expect((await api(url, tok, 'GET', `${d.base}/projects/zzz/members`)).status).toBe(404)
    })
  })

  describe('simulator: paging', () => {
    it('keyset pages survive inserts and deletes between pages; tokens are tamper-proof and expire', async () => {
      const clock = createManualClock()
      const { url, sim: s } = await start({ clock })
      s.control.seed({ count: { project_id: 'p1', n: 250 } })
      const tok = await token(url)
      const seen: string[] = []
      let next = ''
      let pages = 0
      do {
        const res = await api(url, tok, 'GET', `${d.base}/projects/p1/members?${d.size}=100${next === '' ? '' : `&${d.token}=${encodeURIComponent(next)}`}`)
        expect(res.status).toBe(200)
        seen.push(...res.body.members.map((m: { email: string }) => m.email))
        next = res.body[d.next]
        if (pages === 0) {
          const victim = s.control.dump('p1').projects.p1?.[150] as { user_id: string }
          await api(url, tok, 'DELETE', `${d.base}/projects/p1/members/${victim.user_id}`)
          await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'late@x.io', role: 'MEMBER' })
        }
        pages++
      } while (next !== '')
      expect(new Set(seen).size).toBe(seen.length)
      expect(seen).toContain('late@x.io')
      expect(seen).not.toContain('member150@p1.example')
      expect(seen.length).toBe(250)
      const first = await api(url, tok, 'GET', `${d.base}/projects/p1/members?${d.size}=10`)
      const t = first.body[d.next] as string
      expect((await api(url, tok, 'GET', `${d.base}/projects/p1/members?${d.token}=${t.slice(0, -2)}xx`)).status).toBe(400)
      clock.advance(601_000)
      const tok2 = await token(url)
      expect((await api(url, tok2, 'GET', `${d.base}/projects/p1/members?${d.token}=${t}`)).status).toBe(400)
      expect((await api(url, tok2, 'GET', `${d.base}/projects/p1/members?${d.size}=${d.max + 1}`)).status).toBe(400)
    })

    it('offers the next-token variants', async () => {
      const { url, sim: s } = await start()
      const tok = await token(url)
      s.control.configure({ nextPageTokenStyle: 'absent', includeTotalSize: true })
      const a = await api(url, tok, 'GET', `${d.base}/projects/p1/members`)
      expect(d.next in a.body).toBe(false)
      expect(a.body[d.total]).toBe(0)
      s.control.configure({ nextPageTokenStyle: 'null' })
      expect((await api(url, tok, 'GET', `${d.base}/projects/p1/members`)).body[d.next]).toBeNull()
    })
  })

  describe('simulator: limits and faults', () => {
    it('answers 429 with an empty body, x-envoy-ratelimited and no Retry-After; rejected calls count', async () => {
      const clock = createManualClock()
      const { url } = await start({ clock, bucket: { capacity: 2, refillPerSec: 1 } })
      const tok = await token(url)
      expect((await api(url, tok, 'GET', `${d.base}/projects/p1/members`)).status).toBe(200)
      expect((await api(url, tok, 'GET', `${d.base}/projects/p1/members`)).status).toBe(200)
      const limited = await api(url, tok, 'GET', `${d.base}/projects/p1/members`)
      expect(limited.status).toBe(429)
      expect(limited.text).toBe('')
      expect(limited.headers.get('x-envoy-ratelimited')).toBe('true')
      expect(limited.headers.get('retry-after')).toBeNull()
      clock.advance(1000)
      // One token refilled, but the rejected call above took one too: still limited.
      expect((await api(url, tok, 'GET', `${d.base}/projects/p1/members`)).status).toBe(429)
      expect((await api(url, tok, 'GET', `${d.base}/projects/p2/members`)).status).toBe(200)
    })

    it('injects counted statuses, drops responses after applying, and switches error shapes', async () => {
      const { url, sim: s } = await start()
      const tok = await token(url)
      s.control.addFault({ route: 'invite', status: 503, count: 1 })
      expect((await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'x@y.io', role: 'MEMBER' })).status).toBe(503)
      expect(s.control.dump('p1').projects.p1).toEqual([])
      s.control.addFault({ route: 'invite', drop: 1 })
      await expect(api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'x@y.io', role: 'MEMBER' })).rejects.toThrow()
      expect(s.control.dump('p1').projects.p1).toHaveLength(1)
      const log = s.control.requests().requests.filter((r) => r.route === 'invite')
      expect(log.map((r) => [r.status, r.dropped])).toEqual([[503, false], [d.created, true]])
      s.control.configure({ errorShape: 'problem' })
      const problem = await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'x@y.io', role: 'MEMBER' })
      expect(problem.headers.get('content-type')).toContain('application/problem+json')
      expect(problem.body).toMatchObject({ status: 409, title: 'ALREADY_EXISTS' })
      s.control.configure({ errorShape: 'text' })
      expect((await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'x@y.io', role: 'MEMBER' })).text).toMatch(/^409 /)
      s.control.configure({ errorShape: 'empty' })
      expect((await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'x@y.io', role: 'MEMBER' })).text).toBe('')
    })

    it('auto-accepts invites after the configured time and serves the control plane over HTTP', async () => {
      const clock = createManualClock()
      const { url } = await start({ clock, autoAcceptMs: 30_000 })
      const tok = await token(url)
      await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'a@b.io', role: 'MEMBER' })
      const dump = async (): Promise<any> => await (await fetch(`${url}/__sim/dump?project=p1`)).json()
      expect((await dump()).projects.p1[0].status).toBe('PENDING')
      const adv = await fetch(`${url}/__sim/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: 30_000 }) })
      expect(adv.status).toBe(200)
      expect((await dump()).projects.p1[0].status).toBe('ACTIVE')
      const bad = await fetch(`${url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ route: 'nope', status: 500, count: 1 }) })
      expect(bad.status).toBe(400)
    })
  })

  describe('simulator: control plane and knobs', () => {
    it('expires a pending invite (in process and over /__sim/): the member is gone from that project only, and may be invited again', async () => {
      const { url, sim: s } = await start()
      const tok = await token(url)
      const first = await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'Late@X.io', role: 'MEMBER' })
      expect(first.status).toBe(d.created)
      await api(url, tok, 'POST', `${d.base}/projects/p2/members`, { email: 'late@x.io', role: 'MEMBER' })
      s.control.seed({ members: [{ project_id: 'p1', email: 'active@x.io', role: 'MEMBER' }] })
      // Only a PENDING invite expires: not an active member, not an unknown email or project.
      expect(s.control.expireInvite({ project_id: 'p1', email: 'active@x.io' })).toEqual({ expired: 0 })
      expect(s.control.expireInvite({ project_id: 'p1', email: 'nobody@x.io' })).toEqual({ expired: 0 })
      expect(s.control.expireInvite({ project_id: 'zzz', email: 'late@x.io' })).toEqual({ expired: 0 })
      const res = await fetch(`${url}/__sim/invites/expire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ project_id: 'p1', email: 'LATE@x.io' }) })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ expired: 1 })
      const listed = await api(url, tok, 'GET', `${d.base}/projects/p1/members`)
      expect(listed.body.members.map((m: { email: string }) => m.email)).toEqual(['active@x.io'])
      expect((await api(url, tok, 'DELETE', `${d.base}/projects/p1/members/${first.body[d.id]}`)).status).toBe(404)
      expect(s.control.dump('p2').projects.p2).toMatchObject([{ email: 'late@x.io', status: 'PENDING' }])
      // Expiring twice finds nothing; a fresh invite is a new PENDING member with the same account user id.
      expect(s.control.expireInvite({ project_id: 'p1', email: 'late@x.io' })).toEqual({ expired: 0 })
      const again = await api(url, tok, 'POST', `${d.base}/projects/p1/members`, { email: 'late@x.io', role: 'READONLY' })
      expect(again.status).toBe(d.created)
      expect(again.body).toMatchObject({ [d.id]: first.body[d.id], status: 'PENDING', role: 'READONLY' })
      // Accepted invites no longer expire.
      s.control.acceptInvites({ project_id: 'p2', email: 'late@x.io' })
      expect(s.control.expireInvite({ project_id: 'p2', email: 'late@x.io' })).toEqual({ expired: 0 })
      expect(s.control.dump('p2').projects.p2).toMatchObject([{ email: 'late@x.io', status: 'ACTIVE' }])
    })

    it('adds latency to Sinch calls, in parallel rather than in turn, until the faults are cleared', async () => {
      const { url, sim: s } = await start()
      const tok = await token(url)
      const timed = async (n: number): Promise<{ ms: number, statuses: number[] }> => {
        const t0 = performance.now()
        const out = await Promise.all(Array.from({ length: n }, async () => await api(url, tok, 'GET', `${d.base}/projects/p1/members`)))
        return { ms: performance.now() - t0, statuses: out.map((r) => r.status) }
      }
      const res = await fetch(`${url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 400 }) })
      expect(res.status).toBe(200)
      const slow = await timed(3)
      expect(slow.statuses).toEqual([200, 200, 200])
      expect(slow.ms).toBeGreaterThanOrEqual(395)
      // Three delayed calls at once take one delay, not three.
      expect(slow.ms).toBeLessThan(1_150)
      s.control.clearFaults()
      const fast = await timed(1)
      expect(fast.statuses).toEqual([200])
      expect(fast.ms).toBeLessThan(395)
      expect((await fetch(`${url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 60_001 }) })).status).toBe(400)
    })

    it.runIf(under === 'guide')(`serves access keys (guide shape): listed without secrets, the secret shown once at creation, deletion revokes${under === 'guide' ? '' : ' (skipped: the v1 shape of access keys is tested in simulator-v1.test.ts)'}`, async () => {
      const secret = 'initial-key-secret-value'
      const { url, sim: s } = await start({ keys: [{ id: 'k1', secret }] })
      const tok = await token(url, { id: 'k1', secret })
      const before = await api(url, tok, 'GET', `${d.base}/projects/p1/access-keys`)
      expect(before.status).toBe(200)
      expect(before.body.access_keys.map((k: { key_id: string }) => k.key_id)).toEqual(['k1'])
      expect(before.text).not.toContain(secret)
      const created = await api(url, tok, 'POST', `${d.base}/projects/p1/access-keys`)
      expect(created.status).toBe(201)
      const { key_id: id, key_secret: newSecret } = created.body as { key_id: string, key_secret: string }
      expect(id).toMatch(/\S/)
      expect(newSecret.length).toBeGreaterThanOrEqual(16)
      const other = await api(url, tok, 'POST', `${d.base}/projects/p1/access-keys`)
      expect(other.body.key_id).not.toBe(id)
      expect(other.body.key_secret).not.toBe(newSecret)
      // Shown once: the listing names the new key but never carries a secret.
      const listed = await api(url, tok, 'GET', `${d.base}/projects/p1/access-keys`)
      expect(listed.body.access_keys.map((k: { key_id: string }) => k.key_id).sort()).toEqual(['k1', id, other.body.key_id].sort())
      for (const k of listed.body.access_keys as Array<Record<string, unknown>>) expect(Object.keys(k).sort()).toEqual(['display_name', 'key_id'])
      expect(listed.text).not.toContain(newSecret)
      expect(listed.text).not.toContain(secret)
      // The new key works, with a token and with Basic.
      const newTok = await token(url, { id, secret: newSecret })
      expect((await api(url, newTok, 'GET', `${d.base}/projects/p1/members`)).status).toBe(200)
      expect((await fetch(`${url}${d.base}/projects/p1/members`, { headers: { authorization: `Basic ${Buffer.from(`${id}:${newSecret}`).toString('base64')}` } })).status).toBe(200)
      // A key belongs to the project it was created in: another project refuses it, and does not list it.
      expect((await api(url, newTok, 'GET', `${d.base}/projects/p2/members`)).status).toBe(403)
      expect((await api(url, tok, 'GET', `${d.base}/projects/p2/access-keys`)).body.access_keys.map((k: { key_id: string }) => k.key_id)).toEqual(['k1'])
      // Deleting revokes at once: the issued token, Basic and new tokens all fail; the listing drops it.
      expect((await api(url, tok, 'DELETE', `${d.base}/projects/p1/access-keys/${id}`)).status).toBe(204)
      expect((await api(url, newTok, 'GET', `${d.base}/projects/p1/members`)).status).toBe(401)
      expect((await fetch(`${url}${d.base}/projects/p1/members`, { headers: { authorization: `Basic ${Buffer.from(`${id}:${newSecret}`).toString('base64')}` } })).status).toBe(401)
      const refused = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&client_id=${id}&client_secret=${newSecret}` })
      expect(refused.status).toBe(401)
      const after = await api(url, tok, 'GET', `${d.base}/projects/p1/access-keys`)
      expect(after.body.access_keys.map((k: { key_id: string }) => k.key_id).sort()).toEqual(['k1', other.body.key_id].sort())
      expect((await api(url, tok, 'DELETE', `${d.base}/projects/p1/access-keys/${id}`)).status).toBe(404)
      expect((await api(url, tok, 'DELETE', `${d.base}/projects/p1/access-keys/no-such-key`)).status).toBe(404)
      // The routes are Sinch routes: authenticated, project-checked, and never log a secret.
      expect((await api(url, 'not-a-token', 'GET', `${d.base}/projects/p1/access-keys`)).status).toBe(401)
      expect((await api(url, tok, 'POST', `${d.base}/projects/zzz/access-keys`)).status).toBe(403)
      expect(JSON.stringify(s.control.requests())).not.toContain(newSecret)
    })

    it('keeps one bucket per key and project: a second key on the same project is not slowed by the first', async () => {
      const clock = createManualClock()
      const { url } = await start({ clock, bucket: { capacity: 2, refillPerSec: 1 }, keys: [KEY, { id: 'k2', secret: 's2' }] })
      const a = await token(url)
      const b = await token(url, { id: 'k2', secret: 's2' })
      const call = async (tok: string): Promise<number> => (await api(url, tok, 'GET', `${d.base}/projects/p1/members`)).status
      expect([await call(a), await call(a), await call(a)]).toEqual([200, 200, 429])
      // k1 is out of tokens on p1; k2 on p1 still has its full bucket, and then runs out on its own.
      expect([await call(b), await call(b), await call(b)]).toEqual([200, 200, 429])
      expect(await call(a)).toBe(429)
    })
  })
})
