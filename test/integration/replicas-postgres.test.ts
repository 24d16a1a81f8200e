import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../src/simulator/index.js'
import { eventually, SimControl, SIM_KEY, TEST_TOKEN } from '../support/bridge.js'
import { spawnBridge, type ChildBridge } from '../support/child-bridge.js'
import { freshSchema, PGTEST_URL } from '../support/pg.js'

const USERS = 500
const U = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

describe('two replicas on one PostgreSQL database', () => {
  let sim: Simulator
  let control: SimControl
  let drop: () => Promise<void>
  let schema = ''
  let env: Record<string, string>
  const replicas: ChildBridge[] = []
  beforeAll(async () => {
    sim = createSimulator({ projects: ['p1', 'p2'], keys: [{ id: SIM_KEY.id, secret: SIM_KEY.secret }], bucket: { capacity: 1000, refillPerSec: 1000 } })
    const url = await sim.listen(0)
    control = new SimControl(url)
    const s = await freshSchema()
    drop = s.drop
    schema = s.schema
    env = {
      SINCH_KEY_ID: SIM_KEY.id, SINCH_KEY_SECRET: SIM_KEY.secret, SINCH_API_URL: url, SINCH_AUTH_URL: `${url}/oauth2/token`,
      SINCH_PROJECT_IDS: 'p1,p2', SINCH_DEFAULT_PROJECT_IDS: 'p1', SCIM_BEARER_TOKEN: TEST_TOKEN,
      DATABASE_URL: `${PGTEST_URL}?options=-c%20search_path%3D${s.schema}`, LOG_LEVEL: 'warn', RECONCILE_INTERVAL: '5', QUEUE_CLAIM_SECONDS: '5'
    }
    replicas.push(...await Promise.all([spawnBridge(env), spawnBridge(env)]))
  })
  afterAll(async () => {
    for (const r of replicas) await r.kill('SIGKILL')
    await sim.close()
    await drop()
  })

  /** An IdP behind a load balancer: requests alternate; a failed one is retried on the other replica. */
  let turn = 0
  async function scim (method: string, path: string, body?: unknown): Promise<{ status: number, body: any }> {
    for (let attempt = 0; attempt < 6; attempt++) {
      const live = replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null)
      const target = live[turn++ % live.length]
      if (target === undefined) throw new Error('no replica alive')
      try {
        const res = await fetch(`${target.url}${path}`, { method, headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' }, body: body === undefined ? null : JSON.stringify(body) })
        const text = await res.text()
        if (res.status < 500) return { status: res.status, body: text === '' ? null : JSON.parse(text) }
      } catch { /* that replica died under the request: retry elsewhere */ }
    }
    throw new Error(`${method} ${path} failed on every replica`)
  }

  it('500 users with group changes and deactivations, one replica killed mid-run: Sinch converges exactly', async () => {
    const group = await scim('POST', '/Groups', { displayName: 'sinch:p2:ADMIN', members: [] })
    expect(group.status).toBe(201)
    const ids: string[] = []
    let killed = false
    for (let i = 0; i < USERS; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, async (_, k) => {
        const email = `r${i + k}@replicas.example`
        const r = await scim('POST', '/Users', { schemas: [U], userName: email, active: true })
        if (r.status === 409) return (await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`)).body.Resources[0].id as string
        expect(r.status).toBe(201)
        return r.body.id as string
      }))
      ids.push(...batch)
      if (i % 50 === 0) {
        const r = await scim('PATCH', `/Groups/${String(group.body.id)}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: batch.slice(0, 3).map((value) => ({ value })) }] })
        expect([200, 204]).toContain(r.status)
      }
      if (i % 40 === 0) expect((await scim('PATCH', `/Users/${batch[9] ?? ''}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] })).status).toBe(200)
      if (!killed && i >= USERS / 2) {
        killed = true
        await replicas[1]?.kill('SIGKILL')
      }
    }
    expect(new Set(ids).size).toBe(USERS)
    // What the directory says each user should hold, read back through SCIM.
    const want = new Map<string, string>()
    for (let start = 1; start <= USERS; start += 200) {
      const page = await scim('GET', `/Users?startIndex=${start}&count=200`)
      for (const u of page.body.Resources as Array<{ userName: string, active: boolean, groups?: unknown[] }>) {
        if (!u.active) continue
        want.set(`p1|${u.userName}`, 'MEMBER')
        if ((u.groups ?? []).length > 0) want.set(`p2|${u.userName}`, 'ADMIN')
      }
    }
    const have = async (): Promise<Map<string, string>> => {
      const out = new Map<string, string>()
      for (const p of ['p1', 'p2']) for (const m of await control.members(p)) out.set(`${p}|${m.email.toLowerCase()}`, m.role)
      return out
    }
    await eventually(async () => {
      const h = await have()
      return h.size === want.size && [...want].every(([k, v]) => h.get(k) === v)
    }, 60_000, 500)
    expect(want.size).toBeGreaterThan(USERS)
    const doubled = [...(await control.inviteCounts())].filter(([, n]) => n > 1)
    expect(doubled).toEqual([])
  }, 120_000)

  it('the surviving replica holds the reconciler lease within two intervals', async () => {
    const survivor = replicas[0]?.child.pid
    const db = new pg.Client({ connectionString: PGTEST_URL })
    await db.connect()
    try {
      const started = Date.now()
      await eventually(async () => {
        const r = await db.query<{ owner: string, expires_at: string }>(`SELECT owner, expires_at FROM ${schema}.leases WHERE name = 'reconciler'`)
        const row = r.rows[0]
        return row !== undefined && row.owner.includes(`-${String(survivor)}-`) && Date.parse(row.expires_at) > Date.now()
      }, 12_000, 250)
      expect(Date.now() - started).toBeLessThan(12_000)
    } finally {
      await db.end()
    }
  })
})
