import { Pool } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { SinchError } from '../../../src/sinch/errors.js'
import { createSinchClient, type SinchClient } from '../../../src/sinch/index.js'
import { TokenCache } from '../../../src/sinch/token-cache.js'
import { FAST, failure, send, tinyServer, type Handler } from './tiny-server.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function tokenServer (handler: Handler): Promise<{ url: string, seen: Array<{ method: string, path: string, headers: Record<string, unknown>, body: string }> }> {
  const srv = await tinyServer(handler)
  cleanups.push(srv.close)
  return srv
}

function cacheFor (url: string, now: () => number): TokenCache {
  const pool = new Pool(url)
  cleanups.push(async () => { await pool.close() })
  return new TokenCache({ authUrl: `${url}/oauth2/token`, keyId: 'key:1', keySecret: 's3cret/+', dispatcher: pool, now })
}

const delay = async (ms: number): Promise<void> => { await new Promise((r) => setTimeout(r, ms)) }

describe('token cache', () => {
  it('asks with client credentials in a form and HTTP Basic (RFC 6749 §2.3.1, §4.4)', async () => {
    const srv = await tokenServer((_r, res) => send(res, 200, { access_token: 'tok-1', token_type: 'bearer', expires_in: 3600 }))
    const cache = cacheFor(srv.url, Date.now)
    expect(await cache.get()).toBe('tok-1')
    const req = srv.seen[0]
    expect(req).toMatchObject({ method: 'POST', path: '/oauth2/token', body: 'grant_type=client_credentials' })
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    const basic = Buffer.from(String(req?.headers.authorization).replace(/^Basic /, ''), 'base64').toString()
    expect(basic).toBe('key%3A1:s3cret%2F%2B')
  })

  it('single flight: 50 concurrent callers share one fetch', async () => {
    const srv = await tokenServer(async (_r, res) => { await delay(50); send(res, 200, { access_token: 'tok-1', expires_in: 3600 }) })
    const cache = cacheFor(srv.url, Date.now)
    const got = await Promise.all(Array.from({ length: 50 }, async () => await cache.get()))
    expect(new Set(got)).toEqual(new Set(['tok-1']))
    expect(srv.seen).toHaveLength(1)
  })

  it('refreshes ahead (80 % of a short lifetime) in the background, keeping callers on the valid token', async () => {
    let n = 0
    const srv = await tokenServer(async (_r, res) => { n++; await delay(30); send(res, 200, { access_token: `tok-${n}`, expires_in: 100 }) })
    let t = 1_000_000
    const cache = cacheFor(srv.url, () => t)
    expect(await cache.get()).toBe('tok-1')
    t += 78_000
    expect(await cache.get()).toBe('tok-1')
    expect(srv.seen).toHaveLength(1)
    t += 2_000 // past 80 s less 1 s for whole-second expiry: refresh ahead, but nobody waits for it
    const during = await Promise.all(Array.from({ length: 20 }, async () => await cache.get()))
    expect(new Set(during)).toEqual(new Set(['tok-1']))
    await delay(80)
    expect(await cache.get()).toBe('tok-2')
    expect(srv.seen).toHaveLength(2)
  })

  it('refreshes 60 s (+1 s) ahead of a long lifetime; waits for a new token once the old one expired', async () => {
    let n = 0
    const srv = await tokenServer((_r, res) => { n++; send(res, 200, { access_token: `tok-${n}`, expires_in: 3600 }) })
    let t = 0
    const cache = cacheFor(srv.url, () => t)
    await cache.get()
    t = 3_538_000
    expect(await cache.get()).toBe('tok-1')
    expect(srv.seen).toHaveLength(1)
    t = 3_600_000 // expired (a sleeping laptop, a paused container): the caller waits
    expect(await cache.get()).toBe('tok-2')
    expect(cache.lastObtainedAt).toBe(3_600_000)
  })

  it('a failed refresh ahead keeps the valid token and is not retried on every call', async () => {
    let n = 0
    const srv = await tokenServer((_r, res) => { n++; if (n === 1) send(res, 200, { access_token: 'tok-1', expires_in: 100 }); else send(res, 503, '') })
    let t = 0
    const cache = cacheFor(srv.url, () => t)
    await cache.get()
    t = 85_000
    expect(await cache.get()).toBe('tok-1')
    await delay(30)
    for (let i = 0; i < 10; i++) expect(await cache.get()).toBe('tok-1')
    expect(srv.seen).toHaveLength(2)
  })

  it('401 invalid_client and 400 invalid_request → SINCH_AUTH "credentials rejected"; 5xx and bad bodies are transient', async () => {
    const answers: Array<[number, unknown]> = [
      [401, { error: 'invalid_client', error_description: 'client authentication failed' }],
      [400, { error: 'invalid_request' }],
      [503, ''],
      [200, 'access_token=tok-leak-123&expires_in=3600'],
      [200, { token_type: 'bearer' }]
    ]
    const srv = await tokenServer((_r, res) => { const [s, b] = answers.shift() ?? [500, '']; send(res, s, b) })
    const cache = cacheFor(srv.url, Date.now)
    const e1 = await failure(cache.get())
    expect(e1).toMatchObject({ code: 'SINCH_AUTH', kind: 'auth', status: 401, operation: 'token' })
    expect((e1 as Error).message).toMatch(/Sinch credentials rejected by the token endpoint \(401 invalid_client\)/)
    await expect(cache.get()).rejects.toMatchObject({ code: 'SINCH_AUTH', status: 400 })
    await expect(cache.get()).rejects.toMatchObject({ code: 'SINCH_TRANSIENT', status: 503 })
    const e4 = await failure(cache.get())
    expect(e4).toMatchObject({ code: 'SINCH_TRANSIENT' })
    expect(e4.message).not.toContain('tok-leak')
    await expect(cache.get()).rejects.toMatchObject({ code: 'SINCH_TRANSIENT', message: expect.stringContaining('without an access token') })
  })
})

describe('the client around the token', () => {
  let client: SinchClient | null = null
  afterEach(async () => { await client?.close(); client = null })

  /** Token endpoint handing out tok-1, tok-2 …; the API accepts only tokens in `valid`. */
  async function sinch (valid: (token: string) => boolean, tokenStatus = (): number => 200): Promise<{ tokens: () => number, api: () => Array<{ headers: Record<string, unknown> }> }> {
    let n = 0
    const srv = await tokenServer(async (req, res) => {
      if (req.path === '/oauth2/token') {
        await delay(20)
        const status = tokenStatus()
        if (status !== 200) { send(res, status, { error: 'invalid_client' }); return }
        n++
        send(res, 200, { access_token: `tok-${n}`, expires_in: 3600 })
        return
      }
      const token = String(req.headers.authorization).replace(/^Bearer /, '')
      // Slow refusals, so that many calls are in flight with the stale token at once.
      if (!valid(token)) await delay(40)
      if (!valid(token)) { send(res, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } }, { 'www-authenticate': 'Bearer error="invalid_token"' }); return }
      send(res, 200, { members: [], next_page_token: '' })
    })
    client = createSinchClient({ apiUrl: srv.url, authUrl: `${srv.url}/oauth2/token`, keyId: 'k', keySecret: 'secret-xyz', authMode: 'oauth', apiStyle: 'guide', retry: FAST, limiter: { initialRate: 1000 } })
    return { tokens: () => srv.seen.filter((r) => r.path === '/oauth2/token').length, api: () => srv.seen.filter((r) => r.path !== '/oauth2/token') }
  }

  it('on 401s to 20 calls in flight refreshes once for all of them and retries each once', async () => {
    const s = await sinch((t) => t !== 'tok-1')
    const c = client as SinchClient
    await c.fetchToken()
    await Promise.all(Array.from({ length: 20 }, async () => await c.listPage('p1')))
    expect(s.tokens()).toBe(2)
    // A call the limiter lets out after the refresh goes straight out with tok-2 (on a loaded
    // machine some do): what must hold is one refresh, each call answered once on tok-2, and no
    // call sent with the old token more than once.
    const stale = s.api().filter((r) => r.headers.authorization === 'Bearer tok-1')
    const fresh = s.api().filter((r) => r.headers.authorization === 'Bearer tok-2')
    expect(stale.length).toBeGreaterThan(0)
    expect(stale.length).toBeLessThanOrEqual(20)
    expect(fresh).toHaveLength(20)
    expect(s.api()).toHaveLength(stale.length + fresh.length)
    expect(c.lastTokenAt()).not.toBeNull()
  })

  it('a second 401 after the refresh → SINCH_AUTH "Sinch credentials rejected"', async () => {
    const s = await sinch(() => false)
    const e = await failure((client as SinchClient).listPage('p1'))
    expect(e).toBeInstanceOf(SinchError)
    expect(e).toMatchObject({ code: 'SINCH_AUTH', kind: 'auth', status: 401, operation: 'list' })
    expect(e.message).toMatch(/^Sinch credentials rejected/)
    expect(s.api()).toHaveLength(2)
    expect(s.tokens()).toBe(2)
  })

  it('a key revoked at the token endpoint → SINCH_AUTH at once, no retry storm', async () => {
    let revoked = false
    const s = await sinch((t) => t !== 'tok-1', () => (revoked ? 401 : 200))
    const c = client as SinchClient
    await c.fetchToken()
    revoked = true
    await expect(c.listPage('p1')).rejects.toMatchObject({ code: 'SINCH_AUTH', operation: 'list' })
    expect(s.tokens()).toBe(2)
    expect(s.api()).toHaveLength(1)
  })

  it('Basic mode: HTTP Basic on every call, no token endpoint, fetchToken is a no-op', async () => {
    const srv = await tokenServer((_r, res) => send(res, 200, { members: [] }))
    client = createSinchClient({ apiUrl: srv.url, authUrl: 'https://auth.invalid/oauth2/token', keyId: 'k', keySecret: 'secret-xyz', authMode: 'basic', apiStyle: 'guide', retry: FAST })
    await client.fetchToken()
    expect(client.lastTokenAt()).toBeNull()
    await client.listPage('p1')
    await client.listPage('p2')
    expect(srv.seen.map((r) => r.headers.authorization)).toEqual(Array(2).fill(`Basic ${Buffer.from('k:secret-xyz').toString('base64')}`))
    expect(client.lastTokenAt()).not.toBeNull()
  })
})
