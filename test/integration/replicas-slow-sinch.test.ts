import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../src/simulator/index.js'
import { eventually, TEST_TOKEN } from '../support/bridge.js'
import { replicaEnv, spawnBridge, type ChildBridge } from '../support/child-bridge.js'
import { freshSchema, PGTEST_URL, schemaUrl } from '../support/pg.js'

const USERS = 10
const LATENCY_MS = 6_000
const U = 'urn:ietf:params:scim:schemas:core:2.0:User'
/** One Sinch access key per replica, so the simulator's request log says which replica sent what. */
const KEYS = [{ id: 'slow-a', secret: 'slow-a-secret-0123456789' }, { id: 'slow-b', secret: 'slow-b-secret-0123456789' }]

/**
 * Issue 17 item 5: with a 5 s claim lease and 6 s Sinch calls, the second replica took over every
 * claim while the first one's invite was still in flight and invited the same users again (10 of
 * 10: 201 + 409). The lease here is shorter than one Sinch call: only renewal keeps the claim.
 */
describe('two replicas on PostgreSQL, Sinch slower than the claim lease', () => {
  let sim: Simulator
  let drop: () => Promise<void>
  let schema = ''
  const replicas: ChildBridge[] = []
  beforeAll(async () => {
    sim = createSimulator({ projects: ['p1', 'p2'], keys: KEYS, bucket: { capacity: 1000, refillPerSec: 1000 } })
    const url = await sim.listen(0, '127.0.0.1')
    const s = await freshSchema()
    drop = s.drop
    schema = s.schema
    // The IdP is answered at once; the invite runs on under the claim of the replica it reached.
    // One project after the other, so a run frozen during its first invite still has a write to send.
    const env = (key: { id: string, secret: string }): Record<string, string> =>
      replicaEnv(url, key, schemaUrl(s.schema), { SINCH_PROJECT_IDS: 'p1,p2', RECONCILE_INTERVAL: '3600', QUEUE_CLAIM_SECONDS: '5', PROVISION_WAIT_MS: '0', SINCH_PROJECTS_AT_ONCE: '1' })
    replicas.push(...await Promise.all(KEYS.map(async (k) => await spawnBridge(env(k)))))
    // The start-up reconcile lists the project, and each replica holds a Sinch token (its readiness
    // check fetches one), before Sinch turns slow: from then on an invite is one 6-second call.
    await eventually(() => sim.control.requests().requests.filter((r) => r.route === 'list').length >= 2, 10_000)
    for (const r of replicas) expect((await fetch(new URL('/readyz', r.url))).status).toBe(200)
  })
  const db = new pg.Client({ connectionString: PGTEST_URL })
  beforeAll(async () => { await db.connect() })
  afterAll(async () => { await db.end() })
  afterAll(async () => {
    for (const r of replicas) await r.kill('SIGKILL')
    await sim.close()
    await drop()
  })

  it(`${USERS} users created on one replica under ${LATENCY_MS / 1000}-second Sinch calls: each is invited exactly once`, async () => {
    const [a] = replicas as [ChildBridge, ChildBridge]
    sim.control.clearRequests()
    sim.control.addFault({ latencyMs: LATENCY_MS })
    const emails = Array.from({ length: USERS }, (_, n) => `slow${n}@slow.example`)
    const created = await Promise.all(emails.map(async (userName) => {
      const res = await fetch(`${a.url}/Users`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' }, body: JSON.stringify({ schemas: [U], userName, active: true }) })
      await res.arrayBuffer()
      return res.status
    }))
    expect(created).toEqual(emails.map(() => 201))

    await settled()
    for (const p of ['p1', 'p2']) expect(holding(p, emails)).toEqual([...emails].sort())
    const calls = invites()
    const twice = emails.filter((e) => ['p1', 'p2'].some((p) => (calls.get(`${p}|${e}`) ?? []).length > 1))
    console.log(`users invited more than once: ${twice.length}/${USERS}`)
    expect(twice.map((e) => [e, calls.get(`p1|${e}`), calls.get(`p2|${e}`)])).toEqual([])
  }, 90_000)

  it('a replica frozen mid-run loses its claim; woken, it sends no further Sinch write for that user', async () => {
    const [a, b] = replicas as [ChildBridge, ChildBridge]
    sim.control.clearRequests()
    sim.control.addFault({ latencyMs: LATENCY_MS })
    const email = 'frozen@slow.example'
    const res = await fetch(`${a.url}/Users`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' }, body: JSON.stringify({ schemas: [U], userName: email, active: true }) })
    const { id } = await res.json() as { id: string }
    expect(res.status).toBe(201)
    const holder = async (): Promise<string | null> => (await db.query(`SELECT claimed_by FROM ${schema}.provision_queue WHERE user_id = $1`, [id])).rows[0]?.claimed_by ?? null
    // A's first invite (p1) is on its way; freeze A: its heartbeat stops, and B takes the claim over.
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const first = await holder()
    expect(first).not.toBeNull()
    a.child.kill('SIGSTOP')
    try {
      await eventually(async () => { const h = await holder(); return h !== null && h !== first }, 20_000, 100)
    } finally {
      a.child.kill('SIGCONT')
    }
    expect(b.child.exitCode).toBeNull()
    await settled()
    for (const p of ['p1', 'p2']) expect(holding(p, [email])).toEqual([email])
    // A sent only the invite in flight when it froze: after waking, its next write (p2) was not sent.
    const calls = invites()
    const fromA = ['p1', 'p2'].flatMap((p) => calls.get(`${p}|${email}`) ?? []).filter((c) => c.key === 'slow-a')
    expect(fromA).toHaveLength(1)
    expect(calls.get(`p2|${email}`)).toHaveLength(1)
  }, 90_000)

  /** The queue drains, then two more Sinch calls' time passes, so an invite still on its way is logged too. */
  async function settled (): Promise<void> {
    await eventually(async () => Number((await db.query(`SELECT count(*) AS n FROM ${schema}.provision_queue`)).rows[0].n) === 0, 60_000, 250)
    await new Promise((resolve) => setTimeout(resolve, 2 * LATENCY_MS + 1_000))
  }

  function holding (project: string, emails: string[]): string[] {
    return (sim.control.dump(project).projects[project] ?? []).map((m) => (m as { email: string }).email).filter((e) => emails.includes(e)).sort()
  }

  /** Every invite POST per (project, email), whatever Sinch answered: a second one is a 409 the bridge adopts. */
  function invites (): Map<string, Array<{ key: string | null, status: number }>> {
    const out = new Map<string, Array<{ key: string | null, status: number }>>()
    for (const r of sim.control.requests().requests) {
      if (r.route !== 'invite') continue
      const k = `${r.projectId ?? ''}|${String((r.body as { email?: string }).email).toLowerCase()}`
      out.set(k, [...(out.get(k) ?? []), { key: r.keyId, status: r.status }])
    }
    return out
  }
})
