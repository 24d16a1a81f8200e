import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../src/simulator/index.js'
import { eventually, startTestBridge, TEST_TOKEN } from '../support/bridge.js'
import { replicaEnv, spawnBridge, type ChildBridge } from '../support/child-bridge.js'
import { freshSchema, PGTEST_URL, schemaUrl } from '../support/pg.js'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js'
import { CORE_USER, ERROR } from '../support/urns.js'

/**
 * A database that does not answer must not hang the IdP: every SCIM request gets a 503 with
 * Retry-After within the configured timeouts, /readyz fails within about a second, /healthz
 * stays 200, and all answer as before once the database is back. "Not answering" is made three
 * ways, each touching only this file's database: PostgreSQL behind a TCP relay that stops moving
 * bytes, a table of this file's schema held in ACCESS EXCLUSIVE mode, and SQLite's write lock
 * held by another connection.
 */

const KEY = { id: 'timeouts', secret: 'timeouts-secret-0123456789' }

interface Timed { status: number, retryAfter: string | null, body: any, ms: number }

async function timed (url: string, method = 'GET', body?: unknown): Promise<Timed> {
  const started = Date.now()
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000)
  })
  const text = await res.text()
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text === '' ? null : JSON.parse(text), ms: Date.now() - started }
}

function expectUnavailable (r: Timed, what: string): void {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(503)
  expect(r.retryAfter, what).toMatch(/^\d+$/)
  expect(r.body, what).toMatchObject({ schemas: [ERROR], status: '503' })
}

describe('PostgreSQL that does not answer', () => {
  let sim: Simulator
  let proxy: TcpProxy
  let bridge: ChildBridge
  let drop: () => Promise<void>
  let schema = ''
  let base = ''
  let userId = ''
  beforeAll(async () => {
    sim = createSimulator({ projects: ['p1'], keys: [KEY] })
    const simUrl = await sim.listen(0)
    const s = await freshSchema()
    drop = s.drop
    schema = s.schema
    const target = new URL(PGTEST_URL.replace(/^postgres(ql)?:/, 'http:'))
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port === '' ? 5432 : target.port) })
    const databaseUrl = schemaUrl(s.schema).replace(/@[^/@]+\//, `@127.0.0.1:${proxy.port}/`)
    bridge = await spawnBridge(replicaEnv(simUrl, KEY, databaseUrl, {
      SINCH_PROJECT_IDS: 'p1', DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_CONNECT_TIMEOUT_MS: '1000'
    }))
    base = bridge.url.replace(/\/scim\/v2$/, '')
    const created = await timed(`${bridge.url}/Users`, 'POST', { schemas: [CORE_USER], userName: 'before@timeouts.example' })
    expect(created.status).toBe(201)
    userId = String(created.body.id)
  })
  afterAll(async () => {
    proxy?.thaw()
    await bridge?.kill('SIGKILL')
    await proxy?.close()
    await sim?.close()
    await drop?.()
  })

  it('frozen: SCIM requests answer 503 + Retry-After within seconds, /readyz fails within ~1 s, /healthz stays 200; all recover on thaw', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200)
    proxy.freeze()
    try {
      const [get, list, create, group] = await Promise.all([
        timed(`${bridge.url}/Users/${userId}`),
        timed(`${bridge.url}/Users?filter=${encodeURIComponent('userName eq "before@timeouts.example"')}`),
        timed(`${bridge.url}/Users`, 'POST', { schemas: [CORE_USER], userName: 'frozen@timeouts.example' }),
        timed(`${bridge.url}/Groups`, 'POST', { displayName: 'frozen group' })
      ])
      for (const [what, r] of Object.entries({ get, list, create, group })) {
        expectUnavailable(r, what)
        // Statement timeout 1 s plus the client's slack, or the connection timeout of 1 s.
        expect(r.ms, what).toBeLessThan(5_000)
      }
      const readyStarted = Date.now()
      const ready = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) })
      const readyMs = Date.now() - readyStarted
      expect(ready.status).toBe(503)
      expect(readyMs).toBeLessThan(2_000)
      const checks = (await ready.json() as { checks: Array<{ name: string, ok: boolean, detail: string }> }).checks
      expect(checks.find((c) => c.name === 'store')).toMatchObject({ ok: false, detail: 'no answer within 1000 ms' })
      expect((await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) })).status).toBe(200)
    } finally {
      proxy.thaw()
    }
    await eventually(async () => (await timed(`${bridge.url}/Users/${userId}`)).status === 200, 15_000, 200)
    expect((await timed(`${bridge.url}/Users`, 'POST', { schemas: [CORE_USER], userName: 'after@timeouts.example' })).status).toBe(201)
    await eventually(async () => (await fetch(`${base}/readyz`)).status === 200, 10_000, 200)
    expect(bridge.child.exitCode).toBeNull()
  }, 60_000)

  it('a table locked by another session: statement_timeout ends the wait with a 503, and the lock\'s release ends the 503s', async () => {
    const locker = new pg.Client({ connectionString: PGTEST_URL })
    await locker.connect()
    try {
      await locker.query('BEGIN')
      await locker.query(`LOCK TABLE ${schema}.users IN ACCESS EXCLUSIVE MODE`)
      const r = await timed(`${bridge.url}/Users/${userId}`)
      expectUnavailable(r, 'GET while locked')
      expect(r.ms).toBeGreaterThanOrEqual(900)
      expect(r.ms).toBeLessThan(4_000)
      await locker.query('ROLLBACK')
      expect((await timed(`${bridge.url}/Users/${userId}`)).status).toBe(200)
    } finally {
      await locker.end()
    }
  }, 30_000)
})

describe('SQLite whose write lock another connection holds', () => {
  it('a write waits DATABASE_CONNECT_TIMEOUT_MS (busy_timeout), then answers 503 + Retry-After; 201 once the lock is gone', async () => {
    const t = await startTestBridge({ env: { DATABASE_CONNECT_TIMEOUT_MS: '300' }, background: false })
    const other = new Database(t.bridge.config.databaseUrl.slice('sqlite:'.length))
    try {
      other.exec('BEGIN IMMEDIATE')
      const r = await timed(`${t.scimUrl}/Users`, 'POST', { schemas: [CORE_USER], userName: 'busy@timeouts.example' })
      expectUnavailable(r, 'POST while locked')
      expect(r.ms).toBeLessThan(3_000)
      // Reads go on: WAL readers never wait for the writer.
      expect((await timed(`${t.scimUrl}/Users?count=1`)).status).toBe(200)
      other.exec('ROLLBACK')
      expect((await timed(`${t.scimUrl}/Users`, 'POST', { schemas: [CORE_USER], userName: 'busy@timeouts.example' })).status).toBe(201)
    } finally {
      other.close()
      await t.close()
    }
  })
})
