import { afterEach, describe, expect, it } from 'vitest'
import { createSinchClient, type SinchClient, type SinchClientOptions } from '../../../src/sinch/index.js'
import { FAST, failure, member, send, tinyServer, type Handler } from './tiny-server.js'

let client: SinchClient | null = null
let stop: (() => Promise<void>) | null = null
afterEach(async () => {
  await client?.close()
  await stop?.()
  client = null
  stop = null
})

async function serve (handler: Handler, opts: Partial<SinchClientOptions> = {}): Promise<{ c: SinchClient, seen: Array<{ path: string }> }> {
  const srv = await tinyServer(handler)
  stop = srv.close
  client = createSinchClient({ apiUrl: srv.url, authUrl: `${srv.url}/oauth2/token`, keyId: 'k', keySecret: 'secret-xyz', authMode: 'basic', apiStyle: 'v1', retry: FAST, limiter: { initialRate: 1000 }, ...opts })
  return { c: client, seen: srv.seen }
}

const q = (path: string): URLSearchParams => new URL(path, 'http://x').searchParams
const drain = async (c: SinchClient, p = 'p1'): Promise<string[]> => {
  const out: string[] = []
  for await (const m of c.listMembers(p)) out.push(m.userId)
  return out
}

describe('a listing that cannot run away (issue 13, item 7)', () => {
  it('lowers a page size Sinch refuses with a 400 and keeps the smaller size for the next listing', async () => {
    const { c, seen } = await serve((r, res) => {
      const size = Number(q(r.path).get('pageSize'))
      if (size > 20) { send(res, 400, { error: { code: 400, message: 'pageSize must be at most 20', status: 'INVALID_ARGUMENT', details: [{ fieldViolations: [{ field: 'pageSize', description: 'too large' }] }] } }); return }
      const token = q(r.path).get('pageToken')
      send(res, 200, token === null ? { members: [member({ user_id: 'a' })], nextPageToken: 'n1' } : { members: [member({ user_id: 'b' })], nextPageToken: '' })
    })
    expect(await drain(c)).toEqual(['a', 'b'])
    expect(seen.map((r) => q(r.path).get('pageSize'))).toEqual(['100', '50', '20', '20'])
    await drain(c)
    expect(seen.slice(4).map((r) => q(r.path).get('pageSize'))).toEqual(['20', '20'])
  })

  it('a 400 on the page token is not cured by a smaller page: it fails at once', async () => {
    const { c, seen } = await serve((r, res) => {
      if (q(r.path).get('pageToken') !== null) { send(res, 400, { error: { code: 400, message: 'Invalid page token', status: 'INVALID_ARGUMENT', details: [{ fieldViolations: [{ field: 'pageToken', description: 'expired' }] }] } }); return }
      send(res, 200, { members: [member({ user_id: 'a' })], nextPageToken: 'n1' })
    })
    const err = await failure(drain(c))
    expect(err).toMatchObject({ code: 'SINCH_PERMANENT', status: 400 })
    expect(seen).toHaveLength(2)
  })

  it('stops on a page token seen before (A → B → A), after two pages', async () => {
    const { c } = await serve((r, res) => {
      const t = q(r.path).get('pageToken')
      send(res, 200, { members: [member({ user_id: `u-${t ?? 'first'}` })], nextPageToken: t === 'A' ? 'B' : 'A' })
    })
    const err = await failure(drain(c))
    expect(err.code).toBe('SINCH_LISTING_RUNAWAY')
    expect(err.message).toMatch(/page token it had returned before/)
  })

  it('stops when a server ignores the token: page 2 is page 1 again under a new token', async () => {
    let n = 0
    const { c } = await serve((_r, res) => { send(res, 200, { members: [member({ user_id: 'x1' }), member({ user_id: 'x2' })], nextPageToken: `t${++n}` }) })
    const err = await failure(drain(c))
    expect(err.code).toBe('SINCH_LISTING_RUNAWAY')
    expect(err.message).toMatch(/token parameter ignored/)
    expect(n).toBe(2)
  })

  it('stops past the page cap derived from the largest plausible project', async () => {
    let n = 0
    const { c } = await serve((_r, res) => { n++; send(res, 200, { members: [member({ user_id: `m${n}` })], nextPageToken: `t${n}` }) }, { maxMembersPerProject: 500 })
    const err = await failure(drain(c))
    expect(err.code).toBe('SINCH_LISTING_RUNAWAY')
    // 500 members at 100 a page is 5 pages; one more is allowed for a project that grew meanwhile.
    expect(n).toBe(6)
  })
})
