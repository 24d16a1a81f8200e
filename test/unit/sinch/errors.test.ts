import { afterEach, describe, expect, it } from 'vitest'
import { SinchError, codeForStatus, parseErrorBody, scrub } from '../../../src/sinch/errors.js'
import { createSinchClient, type SinchClient } from '../../../src/sinch/index.js'
import { FAST, send, tinyServer } from './tiny-server.js'

const GOOGLE_400 = {
  error: {
    code: 400,
    message: 'Invalid email address',
    status: 'INVALID_ARGUMENT',
    details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'email', description: 'must be a valid email address' }] }]
  }
}
const GOOGLE_409 = {
  error: { code: 409, message: 'Member exists', status: 'ALREADY_EXISTS', details: [{ '@type': 'type.googleapis.com/google.rpc.ResourceInfo', resourceName: 'projects/p1/members/u-9' }] }
}
const PROBLEM_400 = { type: 'about:blank', title: 'INVALID_ARGUMENT', status: 400, detail: 'role must be one of OWNER, ADMIN, MEMBER, READONLY', 'invalid-params': [{ name: 'role', reason: 'unknown role' }] }

describe('parseErrorBody', () => {
  it('reads the Google shape: message, status, field violations, resourceName', () => {
    expect(parseErrorBody(JSON.stringify(GOOGLE_400))).toEqual({ message: 'Invalid email address', status: 'INVALID_ARGUMENT', resourceName: null, fieldViolations: [{ field: 'email', description: 'must be a valid email address' }] })
    expect(parseErrorBody(JSON.stringify(GOOGLE_409)).resourceName).toBe('projects/p1/members/u-9')
  })

  it('reads Problem+JSON, including invalid-params', () => {
    expect(parseErrorBody(JSON.stringify(PROBLEM_400))).toEqual({ message: 'role must be one of OWNER, ADMIN, MEMBER, READONLY', status: 'INVALID_ARGUMENT', resourceName: null, fieldViolations: [{ field: 'role', description: 'unknown role' }] })
    expect(parseErrorBody('{"title":"Forbidden"}').message).toBe('Forbidden')
  })

  it('reads OAuth errors, plain text, empty bodies and JSON that is not an object', () => {
    expect(parseErrorBody('{"error":"invalid_client","error_description":"bad"}')).toMatchObject({ status: 'invalid_client', message: 'bad' })
    expect(parseErrorBody('502 Bad Gateway\n')).toMatchObject({ message: '502 Bad Gateway', status: null })
    expect(parseErrorBody('<html>' + 'x'.repeat(1000)).message).toHaveLength(300)
    expect(parseErrorBody('')).toEqual({ message: null, status: null, fieldViolations: [], resourceName: null })
    expect(parseErrorBody('   ')).toMatchObject({ message: null })
    expect(parseErrorBody('null')).toMatchObject({ message: null })
    expect(parseErrorBody('[1,2]')).toMatchObject({ message: null })
    expect(parseErrorBody('{"error":{"details":"not a list"}}')).toMatchObject({ fieldViolations: [] })
  })

  it('maps final statuses to stable codes', () => {
    expect([400, 401, 403, 404, 409, 422].map(codeForStatus)).toEqual(['SINCH_PERMANENT', 'SINCH_AUTH', 'SINCH_PERMANENT', 'SINCH_NOT_FOUND', 'SINCH_CONFLICT', 'SINCH_PERMANENT'])
  })

  it('scrubs secrets and credentials out of text', () => {
    expect(scrub('you sent s3cr3t-value and Bearer abc.def.ghi-123', ['s3cr3t-value', null])).toBe('you sent [redacted] and Bearer [redacted]')
  })
})

describe('every error shape over real HTTP', () => {
  let close: (() => Promise<void>) | null = null
  let client: SinchClient | null = null
  afterEach(async () => {
    await client?.close()
    await close?.()
    client = null
    close = null
  })

  async function against (answer: (path: string, method: string) => { status: number, body?: unknown, headers?: Record<string, string> }, retry = FAST): Promise<{ c: SinchClient, seen: Array<{ method: string, path: string }> }> {
    const srv = await tinyServer((req, res) => {
      const a = answer(req.path, req.method)
      send(res, a.status, a.body ?? '', a.headers)
    })
    close = srv.close
    client = createSinchClient({ apiUrl: srv.url, authUrl: `${srv.url}/oauth2/token`, keyId: 'k', keySecret: 'secret-xyz', authMode: 'basic', apiStyle: 'guide', retry })
    return { c: client, seen: srv.seen }
  }
  const fail = async (p: Promise<unknown>): Promise<SinchError> => {
    const e = await p.then(() => null, (err: unknown) => err)
    expect(e).toBeInstanceOf(SinchError)
    return e as SinchError
  }

  it('Google 400 → SINCH_PERMANENT with field violations, tried once', async () => {
    const { c, seen } = await against(() => ({ status: 400, body: GOOGLE_400 }))
    const e = await fail(c.invite('p1', { email: 'x', role: 'MEMBER' }))
    expect(e).toMatchObject({ code: 'SINCH_PERMANENT', kind: 'permanent', status: 400, operation: 'invite', projectId: 'p1', fieldViolations: [{ field: 'email', description: 'must be a valid email address' }] })
    expect(e.message).toContain('Invalid email address')
    expect(seen).toHaveLength(1)
  })

  it('Problem+JSON 403, plain text 422 and an empty 400 → SINCH_PERMANENT', async () => {
    const answers = [
      { status: 403, body: { type: 'about:blank', title: 'PERMISSION_DENIED', status: 403, detail: 'Access key k does not have access to projects/p9' }, headers: { 'content-type': 'application/problem+json' } },
      { status: 422, body: 'unprocessable' },
      { status: 400, body: '' }
    ]
    let i = 0
    const { c } = await against(() => answers[i++] ?? { status: 500 })
    const forbidden = await fail(c.updateMember('p9', 'u', { role: 'ADMIN' }))
    expect(forbidden).toMatchObject({ code: 'SINCH_PERMANENT', status: 403 })
    expect(forbidden.message).toContain('does not have access to projects/p9')
    expect(await fail(c.updateMember('p1', 'u', { role: 'ADMIN' }))).toMatchObject({ code: 'SINCH_PERMANENT', status: 422, message: expect.stringContaining('unprocessable') })
    expect(await fail(c.removeMember('p1', 'u'))).toMatchObject({ code: 'SINCH_PERMANENT', status: 400 })
  })

  it('404 → SINCH_NOT_FOUND (update, list) but removeMember → alreadyGone; 409 on update → SINCH_CONFLICT', async () => {
    const { c } = await against((path, method) => (method === 'PATCH' && path.endsWith('/clash') ? { status: 409, body: GOOGLE_409 } : { status: 404, body: { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } } }))
    expect(await fail(c.updateMember('p1', 'gone', { status: 'SUSPENDED' }))).toMatchObject({ code: 'SINCH_NOT_FOUND', kind: 'permanent', status: 404 })
    expect(await fail(c.listPage('eu-only'))).toMatchObject({ code: 'SINCH_NOT_FOUND', operation: 'list' })
    expect(await c.removeMember('p1', 'gone')).toEqual({ alreadyGone: true })
    expect(await fail(c.updateMember('p1', 'clash', { role: 'ADMIN' }))).toMatchObject({ code: 'SINCH_CONFLICT', status: 409 })
  })

  it('retries 5xx with empty and HTML bodies, then gives up as SINCH_TRANSIENT within maxAttempts', async () => {
    let n = 0
    const { c, seen } = await against(() => (n++ % 2 === 0 ? { status: 502, body: '<html>Bad gateway</html>' } : { status: 503, body: '' }))
    const e = await fail(c.listPage('p1'))
    expect(e).toMatchObject({ code: 'SINCH_TRANSIENT', kind: 'transient', status: 503 })
    expect(e.message).toMatch(/after 4 attempt/)
    expect(seen).toHaveLength(4)
  })

  it('a 2xx whose body is not JSON is transient; an empty 2xx list is an empty last page', async () => {
    let n = 0
    const { c } = await against(() => (n++ === 0 ? { status: 200, body: '<html>maintenance</html>' } : { status: 200, body: '' }))
    expect(await fail(c.listPage('p1'))).toMatchObject({ code: 'SINCH_TRANSIENT', operation: 'list', status: 200 })
    expect(await c.listPage('p1')).toEqual({ members: [], nextPageToken: null })
  })

  it('honours Retry-After when it appears', async () => {
    let n = 0
    const { c } = await against(() => (n++ === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200, body: { members: [] } }), { baseMs: 1, capMs: 2, maxAttempts: 3, deadlineMs: 10_000 })
    const t0 = Date.now()
    await c.listPage('p1')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950)
    expect(c.stats()).toMatchObject({ rateLimited: 1, retries: 1, requests: 2 })
  })

  it('gives up before sleeping past the deadline', async () => {
    const { c, seen } = await against(() => ({ status: 429, headers: { 'retry-after': '30' } }), { baseMs: 1, capMs: 2, maxAttempts: 10, deadlineMs: 2_000 })
    const t0 = Date.now()
    expect(await fail(c.listPage('p1'))).toMatchObject({ code: 'SINCH_TRANSIENT', status: 429 })
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(seen).toHaveLength(1)
  })

  it('a refused connection is transient and names the cause', async () => {
    const srv = await tinyServer((_r, res) => send(res, 200))
    await srv.close()
    client = createSinchClient({ apiUrl: srv.url, authUrl: `${srv.url}/oauth2/token`, keyId: 'k', keySecret: 'secret-xyz', authMode: 'basic', apiStyle: 'guide', retry: FAST })
    const e = await fail(client.listPage('p1'))
    expect(e).toMatchObject({ code: 'SINCH_TRANSIENT', status: null })
    expect(e.message).toMatch(/ECONNREFUSED/)
    expect(e.cause).toBeInstanceOf(Error)
  })
})
