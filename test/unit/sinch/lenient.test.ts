import { afterEach, describe, expect, it } from 'vitest'
import { createSinchClient, SinchMemberSchema, type SinchClient, type SinchClientOptions } from '../../../src/sinch/index.js'
import { FAST, failure, member, send, tinyServer, type Handler, type Seen } from './tiny-server.js'

let client: SinchClient | null = null
let stop: (() => Promise<void>) | null = null
afterEach(async () => {
  await client?.close()
  await stop?.()
  client = null
  stop = null
})

async function serve (handler: Handler, opts: Partial<SinchClientOptions> = {}): Promise<{ c: SinchClient, seen: Seen[] }> {
  const srv = await tinyServer(handler)
  stop = srv.close
  client = createSinchClient({ apiUrl: srv.url, authUrl: `${srv.url}/oauth2/token`, keyId: 'k', keySecret: 'secret-xyz', authMode: 'basic', apiStyle: 'guide', retry: FAST, limiter: { initialRate: 1000 }, ...opts })
  return { c: client, seen: srv.seen }
}

describe('SinchMemberSchema', () => {
  it('accepts snake_case and camelCase, missing optionals and lower-case enums; emits camelCase', () => {
    expect(SinchMemberSchema.parse(member({ role: 'admin', status: 'active', extra: 1 }))).toEqual({ userId: 'u-1', email: 'ada@example.com', displayName: 'Ada', role: 'ADMIN', status: 'ACTIVE', projectId: 'p1', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' })
    expect(SinchMemberSchema.parse({ userId: 'u-2', email: 'b@x.io', displayName: null, role: 'READONLY', status: 'SUSPENDED', projectId: 'p2' })).toEqual({ userId: 'u-2', email: 'b@x.io', displayName: null, role: 'READONLY', status: 'SUSPENDED', projectId: 'p2', createdAt: null, updatedAt: null })
    expect(SinchMemberSchema.parse({ email: 'c@x.io', role: 'MEMBER' })).toMatchObject({ userId: '', status: 'PENDING', displayName: null })
    // A role or status nobody mapped is kept as UNKNOWN with the name Sinch sent: never a failed page.
    expect(SinchMemberSchema.parse({ email: 'c@x.io', role: 'GOD', status: 'LOCKED' })).toMatchObject({ role: 'UNKNOWN', rawRole: 'GOD', status: 'UNKNOWN' })
    // v1 names: a resource name instead of an id, createTime/updateTime.
    expect(SinchMemberSchema.parse({ name: 'projects/p9/members/u-9', email: 'd@x.io', role: 'MEMBER', status: 'ACTIVE', projectId: 'p9', createTime: '2026-02-01T00:00:00Z', updateTime: '2026-02-02T00:00:00Z' }))
      .toEqual({ userId: 'u-9', email: 'd@x.io', displayName: null, role: 'MEMBER', status: 'ACTIVE', projectId: 'p9', createdAt: '2026-02-01T00:00:00Z', updatedAt: '2026-02-02T00:00:00Z' })
  })
})

describe('paging', () => {
  it.each([
    ['empty string', { next_page_token: '' }],
    ['null', { next_page_token: null }],
    ['absent', {}],
    ['camelCase empty', { nextPageToken: '' }],
    ['with total_size', { next_page_token: '', total_size: 1 }]
  ])('ends on a last page whose token is %s', async (_name, tail) => {
    const { c } = await serve((_r, res) => send(res, 200, { members: [member()], ...tail }))
    expect(await c.listPage('p1')).toMatchObject({ members: [{ userId: 'u-1', projectId: 'p1' }], nextPageToken: null })
  })

  it('follows next_page_token and nextPageToken across pages, 100 per page, token passed back intact', async () => {
    const pages: Record<string, unknown> = {
      '': { members: [member({ user_id: 'a' })], next_page_token: 'tok/1+=' },
      'tok/1+=': { members: [member({ user_id: 'b', project_id: undefined })], nextPageToken: 'tok2' },
      tok2: { members: [], total_size: 2 }
    }
    const { c, seen } = await serve((req, res) => {
      const q = new URL(req.path, 'http://x').searchParams
      send(res, 200, pages[q.get('page_token') ?? ''] ?? { members: [] })
    })
    const ids: string[] = []
    for await (const m of c.listMembers('p 1')) ids.push(`${m.userId}@${m.projectId}`)
    expect(ids).toEqual(['a@p1', 'b@p 1'])
    expect(seen.map((r) => r.path)).toEqual(['/projects/p%201/members?page_size=100', '/projects/p%201/members?page_size=100&page_token=tok%2F1%2B%3D', '/projects/p%201/members?page_size=100&page_token=tok2'])
  })

  it('refuses to loop when the server hands back the same token and page', async () => {
    const { c } = await serve((_r, res) => send(res, 200, { members: [member()], next_page_token: 'same' }))
    const seen: string[] = []
    const err = await (async () => { for await (const m of c.listMembers('p1')) seen.push(m.userId) })().catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'SINCH_LISTING_RUNAWAY' })
    // The repeated page is not handed on: the member is seen once.
    expect(seen).toHaveLength(1)
  })

  it('stops between pages when its signal aborts', async () => {
    const { c, seen } = await serve((_r, res) => send(res, 200, { members: [member()], next_page_token: `t${Math.random()}` }))
    const ac = new AbortController()
    const err = await (async () => { for await (const _m of c.listMembers('p1', { signal: ac.signal })) ac.abort() })().catch((e: unknown) => e)
    expect(err).toBeDefined()
    expect(seen).toHaveLength(1)
  })
})

describe('invite, update, remove variants', () => {
  it.each([200, 201])('invite answered %i is a fresh invite', async (status) => {
    const { c } = await serve((_r, res) => send(res, status, member()))
    expect(await c.invite('p1', { email: 'ada@example.com', role: 'MEMBER' })).toEqual({ adopted: false, member: expect.objectContaining({ userId: 'u-1', status: 'PENDING' }) })
  })

  it('an invite answer without user_id is completed from the listing', async () => {
    const { c, seen } = await serve((req, res) => {
      if (req.method === 'POST') send(res, 201, { email: 'Ada@Example.com', role: 'MEMBER', status: 'PENDING' })
      else send(res, 200, { members: [member({ user_id: 'other', email: 'bob@x.io' }), member({ user_id: 'u-77', email: 'ada@example.COM' })], next_page_token: '' })
    })
    const r = await c.invite('p1', { email: 'Ada@Example.com', role: 'MEMBER' })
    expect(r).toMatchObject({ adopted: false, member: { userId: 'u-77' } })
    expect(seen.map((s) => s.method)).toEqual(['POST', 'GET'])
  })

  it('409 with resourceName adopts the member it names', async () => {
    const { c } = await serve((req, res) => {
      if (req.method === 'POST') send(res, 409, { error: { code: 409, message: 'exists', status: 'ALREADY_EXISTS', details: [{ '@type': 'type.googleapis.com/google.rpc.ResourceInfo', resourceName: 'projects/p1/members/u-42' }] } })
      else send(res, 200, { members: [member({ user_id: 'u-41', email: 'x@x.io' }), member({ user_id: 'u-42', email: 'ADA@example.com', role: 'ADMIN', status: 'ACTIVE' })] })
    })
    expect(await c.invite('p1', { email: 'ada@example.com', role: 'MEMBER' })).toMatchObject({ adopted: true, member: { userId: 'u-42', role: 'ADMIN', status: 'ACTIVE' } })
  })

  it('409 without details (problem, text or empty body) adopts by case-insensitive email', async () => {
    const bodies: unknown[] = [{ type: 'about:blank', title: 'ALREADY_EXISTS', status: 409 }, 'conflict', '']
    const { c } = await serve((req, res) => {
      if (req.method === 'POST') send(res, 409, bodies.shift() ?? '')
      else send(res, 200, { members: [member({ user_id: 'u-5', email: 'Ada@Example.com' })], next_page_token: null })
    })
    for (let i = 0; i < 3; i++) expect(await c.invite('p1', { email: 'ada@EXAMPLE.com', role: 'MEMBER' })).toMatchObject({ adopted: true, member: { userId: 'u-5' } })
  })

  it('409 whose member the listing does not show is transient, not a silent success', async () => {
    const { c } = await serve((req, res) => (req.method === 'POST' ? send(res, 409, '') : send(res, 200, { members: [] })))
    await expect(c.invite('p1', { email: 'ghost@x.io', role: 'MEMBER' })).rejects.toMatchObject({ code: 'SINCH_TRANSIENT', operation: 'invite' })
  })

  it('an invite applied but its answer lost (connection reset) is retried and adopted on 409', async () => {
    const members: Array<Record<string, unknown>> = []
    const { c, seen } = await serve((req, res) => {
      if (req.method === 'GET') { send(res, 200, { members }); return }
      const body = JSON.parse(req.body) as { email: string }
      if (members.some((m) => m.email === body.email)) { send(res, 409, { error: { code: 409, message: 'exists', status: 'ALREADY_EXISTS' } }); return }
      members.push(member({ user_id: 'u-9', email: body.email }))
      res.socket?.destroy() // applied, then the answer is lost
    })
    expect(await c.invite('p1', { email: 'lost@x.io', role: 'MEMBER' })).toMatchObject({ adopted: true, member: { userId: 'u-9' } })
    expect(members).toHaveLength(1)
    expect(seen.map((s) => s.method)).toEqual(['POST', 'POST', 'GET'])
  })

  it('PATCH sends only the patch and returns the member', async () => {
    const { c, seen } = await serve((_r, res) => send(res, 200, member({ status: 'SUSPENDED' })))
    expect(await c.updateMember('p1', 'u/1', { status: 'SUSPENDED' })).toMatchObject({ status: 'SUSPENDED' })
    expect(seen[0]).toMatchObject({ method: 'PATCH', path: '/projects/p1/members/u%2F1', body: '{"status":"SUSPENDED"}' })
  })

  it.each([[204, ''], [200, {}], [200, '']])('DELETE answered %i %j is done', async (status, body) => {
    const { c } = await serve((_r, res) => send(res, status, body))
    expect(await c.removeMember('p1', 'u-1')).toEqual({ alreadyGone: false })
  })
})

describe('timeouts and close', () => {
  it('a server that never answers hits the headers timeout and is retried as transient', async () => {
    const { c, seen } = await serve(() => { /* never answer */ }, { timeouts: { headersMs: 100 }, retry: { ...FAST, maxAttempts: 2 } })
    const e = await failure(c.listPage('p1'))
    expect(e).toMatchObject({ code: 'SINCH_TRANSIENT', status: null })
    expect(e.message).toMatch(/UND_ERR_HEADERS_TIMEOUT/)
    expect(seen).toHaveLength(2)
  })

  it('close() ends a call waiting in backoff at once and refuses new calls', async () => {
    const { c } = await serve((_r, res) => send(res, 503, ''), { retry: { baseMs: 10_000, capMs: 10_000, maxAttempts: 5, deadlineMs: 60_000 }, random: () => 0.99 })
    const pending = failure(c.listPage('p1'))
    await new Promise((r) => setTimeout(r, 100))
    const t0 = Date.now()
    await c.close()
    const e = await pending
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(e).toMatchObject({ code: 'SINCH_TRANSIENT', message: 'the Sinch client is closed' })
    await expect(c.listPage('p1')).rejects.toMatchObject({ message: 'the Sinch client is closed' })
  })

  it('stats() counts requests, 429s and retries; onCall reports every outcome', async () => {
    const statuses = [429, 503, 200]
    const events: string[] = []
    const { c } = await serve((_r, res) => send(res, statuses.shift() ?? 200, { members: [] }), { onCall: (e) => events.push(`${e.operation}:${e.outcome}:${e.status}`) })
    await c.listPage('p1')
    expect(events).toEqual(['list:rate_limited:429', 'list:transient:503', 'list:ok:200'])
    expect(c.stats()).toMatchObject({ requests: 3, rateLimited: 1, retries: 2, inFlight: 0 })
    expect(c.stats().currentRate).toBeGreaterThan(0)
  })
})
