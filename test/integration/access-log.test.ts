import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.js'
import { captureLogs } from '../support/log-capture.js'

async function appLoggingAt (level: string): Promise<{ t: TestApp, lines: ReturnType<typeof captureLogs>['lines'] }> {
  const { logger, lines } = captureLogs(level)
  return { t: await buildTestApp({ logger }), lines }
}

describe('the access log', () => {
  let t: TestApp | null = null
  afterEach(async () => { await t?.close(); t = null })

  it('writes one line per request at info, when it ends: method, url, status, time and request id, no token', async () => {
    const app = await appLoggingAt('info')
    t = app.t
    expect((await t.request('GET', '/scim/v2/Users/no-such-user')).status).toBe(404)
    expect((await t.request('GET', '/healthz')).status).toBe(200)
    const requests = app.lines().filter((l) => l.reqId !== undefined)
    expect(requests.map((l) => l.msg).filter((m) => m === 'incoming request')).toEqual([])
    const done = requests.filter((l) => l.msg === 'request completed')
    expect(done.map((l) => [l.req?.method, l.req?.url, l.res?.statusCode, l.level])).toEqual([
      ['GET', '/scim/v2/Users/no-such-user', 404, 30],
      ['GET', '/healthz', 200, 30]
    ])
    for (const l of done) expect(typeof l.responseTime).toBe('number')
    expect(new Set(done.map((l) => l.reqId)).size).toBe(2)
    expect(JSON.stringify(app.lines())).not.toContain(t.token)
  })

  it('keeps the incoming line at debug, before the completed one of the same request', async () => {
    const app = await appLoggingAt('debug')
    t = app.t
    expect((await t.request('GET', '/healthz')).status).toBe(200)
    const lines = app.lines().filter((l) => l.msg === 'incoming request' || l.msg === 'request completed')
    expect(lines.map((l) => [l.msg, l.req?.url])).toEqual([['incoming request', '/healthz'], ['request completed', '/healthz']])
    expect(lines[0]?.reqId).toBe(lines[1]?.reqId)
  })
})
