import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../src/simulator/index.js'
import { SIM_KEY, TEST_TOKEN } from '../support/bridge.js'
import { replicaEnv, spawnBridge, type ChildBridge } from '../support/child-bridge.js'
import { freshSchema, schemaUrl } from '../support/pg.js'

const U = 'urn:ietf:params:scim:schemas:core:2.0:User'
const ROUNDS = 20

describe('uniqueness across two replicas on one PostgreSQL database, over HTTP', () => {
  let sim: Simulator
  let drop: () => Promise<void>
  const replicas: ChildBridge[] = []
  beforeAll(async () => {
    sim = createSimulator({ projects: ['p1', 'p2'], keys: [{ id: SIM_KEY.id, secret: SIM_KEY.secret }], bucket: { capacity: 1000, refillPerSec: 1000 } })
    const url = await sim.listen(0)
    const s = await freshSchema()
    drop = s.drop
    const env = replicaEnv(url, SIM_KEY, schemaUrl(s.schema), { SINCH_PROJECT_IDS: 'p1,p2', SINCH_DEFAULT_PROJECT_IDS: 'p1,p2', RECONCILE_INTERVAL: '3600' })
    replicas.push(...await Promise.all([spawnBridge(env), spawnBridge(env)]))
  })
  afterAll(async () => {
    for (const r of replicas) await r.kill('SIGKILL')
    await sim.close()
    await drop()
  })

  async function send (target: ChildBridge, method: string, path: string, body?: unknown): Promise<{ status: number, body: any }> {
    const res = await fetch(`${target.url}${path}`, { method, headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' }, body: body === undefined ? null : JSON.stringify(body) })
    const text = await res.text()
    return { status: res.status, body: text === '' ? null : JSON.parse(text) }
  }

  it(`the same userName (or its capitals) POSTed to both replicas at the same instant, ${ROUNDS} times: one 201 and one 409 uniqueness each time`, async () => {
    const [a, b] = replicas as [ChildBridge, ChildBridge]
    // Warm both keep-alive connections, so neither request pays a TCP handshake the other does not.
    expect((await Promise.all([send(a, 'GET', '/Users?count=0'), send(b, 'GET', '/Users?count=0')])).map((r) => r.status)).toEqual([200, 200])
    const outcomes: string[] = []
    for (let n = 0; n < ROUNDS; n++) {
      const userName = `same${n}@unique.example`
      // userName is case-insensitive (RFC 7643 §4.1.1): every other round, replica B gets it in capitals.
      const nameB = n % 2 === 0 ? userName : userName.toUpperCase()
      const [ra, rb] = await Promise.all([
        send(a, 'POST', '/Users', { schemas: [U], userName, active: true }),
        send(b, 'POST', '/Users', { schemas: [U], userName: nameB, active: true })
      ])
      const [won, lost] = ra.status === 201 ? [ra, rb] : [rb, ra]
      outcomes.push(`${userName}: ${ra.status}/${rb.status}`)
      expect([ra.status, rb.status].sort(), outcomes.join('\n')).toEqual([201, 409])
      expect(won.body.userName).toBe(won === ra ? userName : nameB)
      expect(lost.body.scimType, JSON.stringify(lost.body)).toBe('uniqueness')
      expect(lost.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
      // Both replicas see one user of that name: the winner's.
      for (const r of replicas) {
        const found = await send(r, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)
        expect(found.body.totalResults).toBe(1)
        expect(found.body.Resources[0].id).toBe(won.body.id)
      }
    }
    const total = await send(a, 'GET', '/Users?count=0')
    expect(total.body.totalResults).toBe(ROUNDS)
  }, 30_000)
  it('a create on one replica and its deactivation at once on the other, 300 times: no user is ever invited twice', async () => {
    const [a, b] = replicas as [ChildBridge, ChildBridge]
    sim.control.addFault({ latencyMs: 150 })
    try {
      await Promise.all(Array.from({ length: 300 }, async (_, n) => {
        const created = await send(a, 'POST', '/Users', { schemas: [U], userName: `race${n}@race.example`, active: true })
        expect(created.status).toBe(201)
        const off = await send(n % 2 === 0 ? a : b, 'PATCH', `/Users/${String(created.body.id)}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })
        expect(off.status).toBe(200)
      }))
      // Both replicas' queues drain; then nobody holds access and each address saw at most one accepted invite.
      const deadline = Date.now() + 30_000
      const holding = (): string[] => ['p1', 'p2'].flatMap((p) => (sim.control.dump(p).projects[p] ?? []).map((m) => (m as { email: string }).email).filter((e) => e.startsWith('race')).map((e) => `${p} ${e}`))
      while (holding().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200))
      expect(holding()).toEqual([])
      const accepted = new Map<string, number>()
      for (const r of sim.control.requests().requests) {
        if (r.route !== 'invite' || r.status >= 300) continue
        const email = String((r.body as { email?: string }).email)
        if (email.startsWith('race')) accepted.set(`${r.projectId ?? ''} ${email}`, (accepted.get(`${r.projectId ?? ''} ${email}`) ?? 0) + 1)
      }
      expect([...accepted].filter(([, n]) => n > 1)).toEqual([])
    } finally {
      sim.control.clearFaults()
    }
  }, 60_000)
})
