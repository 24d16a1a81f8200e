import { afterEach, describe, expect, it } from 'vitest'
import { createSinchClient, SinchError, type SinchClient } from '../../../src/sinch/index.js'
import { captureLogger, FAST, member, send, tinyServer } from './tiny-server.js'

const SECRET = 'key-secret-Zq81-never-shown'
const KEY_ID = 'key-id-1'
const TOKENS = ['tok-AAAA-first-1f2e3d', 'tok-BBBB-second-9a8b7c']
const BASIC = Buffer.from(`${KEY_ID}:${SECRET}`).toString('base64')
const BASIC_FORM = Buffer.from(`${KEY_ID}:${encodeURIComponent(SECRET)}`).toString('base64')

let client: SinchClient | null = null
let stop: (() => Promise<void>) | null = null
afterEach(async () => {
  await client?.close()
  await stop?.()
  client = null
  stop = null
})

/** Everything an operator could ever see: log lines, messages, serialised errors, causes. */
function exposed (lines: string[], errors: unknown[]): string {
  const parts = [...lines]
  for (const e of errors) {
    let cur: unknown = e
    while (cur !== undefined && cur !== null) {
      parts.push(String(cur), JSON.stringify(cur), (cur as Error).stack ?? '')
      if (cur instanceof SinchError) parts.push(JSON.stringify(cur.fieldViolations))
      cur = (cur as { cause?: unknown }).cause
    }
  }
  return parts.join('\n')
}

function assertClean (text: string): void {
  for (const s of [SECRET, encodeURIComponent(SECRET), ...TOKENS, BASIC, BASIC_FORM]) expect(text).not.toContain(s)
  expect(text).not.toMatch(/Bearer\s+(?!\[redacted\])\S{8,}/)
  expect(text).not.toMatch(/authorization/i)
}

describe('the token, the key secret and the Authorization header never reach a log or an error', () => {
  it('OAuth: success, an echoing 400, 401 refresh, rejected credentials, token endpoint echoing the secret', async () => {
    let issued = 0
    let phase = 'ok'
    const srv = await tinyServer((req, res) => {
      const auth = String(req.headers.authorization)
      if (req.path === '/oauth2/token') {
        if (phase === 'revoked') { send(res, 401, { error: 'invalid_client', error_description: `unknown client ${KEY_ID} with secret ${SECRET} (${auth})` }); return }
        send(res, 200, { access_token: TOKENS[issued++ % 2], expires_in: 3600 })
        return
      }
      if (phase === 'echo') {
        // A careless gateway that quotes the request back, credentials and all.
        send(res, 400, { error: { code: 400, message: `bad request; you sent ${auth}`, status: 'INVALID_ARGUMENT', details: [{ fieldViolations: [{ field: 'email', description: `header was ${auth}` }] }] } })
        return
      }
      if (phase === 'echo-text') { send(res, 422, `rejected ${auth.replace('Bearer ', '')} for ${SECRET}`); return }
      if (phase === '401' || phase === 'revoked') { send(res, 401, { error: { code: 401, message: `token ${auth.replace('Bearer ', '')} expired`, status: 'UNAUTHENTICATED' } }); return }
      send(res, 200, req.method === 'POST' ? member() : { members: [member()] })
    })
    stop = srv.close
    const { logger, lines } = captureLogger()
    client = createSinchClient({ apiUrl: srv.url, authUrl: `${srv.url}/oauth2/token`, keyId: KEY_ID, keySecret: SECRET, authMode: 'oauth', apiStyle: 'guide', retry: FAST, logger })
    const errors: unknown[] = []
    const c = client
    await c.invite('p1', { email: 'ada@example.com', role: 'MEMBER' })
    await c.listPage('p1')
    for (const p of ['echo', 'echo-text', '401', 'revoked']) {
      phase = p
      errors.push(await c.listPage('p1').then(() => null, (e: unknown) => e))
    }
    expect(errors.map((e) => (e as SinchError).code)).toEqual(['SINCH_PERMANENT', 'SINCH_PERMANENT', 'SINCH_AUTH', 'SINCH_AUTH'])
    // What the server said still reaches the operator, minus the credentials.
    expect((errors[0] as SinchError).message).toContain('bad request; you sent Bearer [redacted]')
    expect((errors[1] as SinchError).message).toContain('rejected [redacted] for [redacted]')
    expect((errors[3] as SinchError).message).toMatch(/Sinch credentials rejected/)
    expect(lines.length).toBeGreaterThan(5)
    expect(lines.join('\n')).toContain('"component":"sinch"')
    assertClean(exposed(lines, errors))
  })

  it('Basic mode and network failures', async () => {
    const srv = await tinyServer((req, res) => send(res, 403, { type: 'about:blank', title: 'PERMISSION_DENIED', status: 403, detail: `key ${String(req.headers.authorization)} may not use projects/p9` }))
    const { logger, lines } = captureLogger()
    client = createSinchClient({ apiUrl: srv.url, authUrl: `${srv.url}/oauth2/token`, keyId: KEY_ID, keySecret: SECRET, authMode: 'basic', apiStyle: 'guide', retry: FAST, logger })
    const errors: unknown[] = [await client.listPage('p9').catch((e: unknown) => e)]
    expect((errors[0] as SinchError).message).toContain('may not use projects/p9')
    await srv.close()
    errors.push(await client.invite('p1', { email: 'a@x.io', role: 'MEMBER' }).catch((e: unknown) => e))
    const oauth = createSinchClient({ apiUrl: srv.url, authUrl: `${srv.url}/oauth2/token`, keyId: KEY_ID, keySecret: SECRET, authMode: 'oauth', apiStyle: 'guide', retry: FAST, logger })
    errors.push(await oauth.fetchToken().catch((e: unknown) => e))
    errors.push(await oauth.listPage('p1').catch((e: unknown) => e))
    await oauth.close()
    expect(errors.map((e) => (e as SinchError).code)).toEqual(['SINCH_PERMANENT', 'SINCH_TRANSIENT', 'SINCH_TRANSIENT', 'SINCH_TRANSIENT'])
    assertClean(exposed(lines, errors))
  })
})
