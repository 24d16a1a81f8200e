import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../src/simulator/index.js'
import { eventually, SIM_KEY } from '../support/bridge.js'
import { replicaEnv, spawnBridge, type ChildBridge } from '../support/child-bridge.js'
import { freshSchema, PGTEST_URL, schemaUrl } from '../support/pg.js'

const INTERVAL_S = 5
const INTERVAL_MS = INTERVAL_S * 1000

interface LeaseRow { owner: string, expires_at: string }

describe('reconciler leadership across replicas on one PostgreSQL database', () => {
  let sim: Simulator
  let drop: () => Promise<void>
  let schema = ''
  let env: Record<string, string>
  let db: pg.Client
  const replicas: ChildBridge[] = []
  beforeAll(async () => {
    sim = createSimulator({ projects: ['p1'], keys: [{ id: SIM_KEY.id, secret: SIM_KEY.secret }], bucket: { capacity: 1000, refillPerSec: 1000 } })
    const url = await sim.listen(0)
    const s = await freshSchema()
    drop = s.drop
    schema = s.schema
    env = replicaEnv(url, SIM_KEY, schemaUrl(s.schema), { SINCH_PROJECT_IDS: 'p1', RECONCILE_INTERVAL: String(INTERVAL_S) })
    replicas.push(...await Promise.all([spawnBridge(env), spawnBridge(env)]))
    db = new pg.Client({ connectionString: PGTEST_URL })
    await db.connect()
  })
  afterAll(async () => {
    for (const r of replicas) await r.kill('SIGKILL')
    await db?.end()
    await sim.close()
    await drop()
  })

  const lease = async (): Promise<LeaseRow | undefined> =>
    (await db.query<LeaseRow>(`SELECT owner, expires_at FROM ${schema}.leases WHERE name = 'reconciler'`)).rows[0]
  /** The owner string is `${hostname}-${pid}-${random}`. */
  const holds = (row: LeaseRow | undefined, r: ChildBridge): boolean =>
    row !== undefined && row.owner.includes(`-${String(r.child.pid)}-`) && Date.parse(row.expires_at) > Date.now()
  async function leaderOf (candidates: ChildBridge[]): Promise<ChildBridge> {
    let found: ChildBridge | undefined
    await eventually(async () => {
      const row = await lease()
      found = candidates.find((r) => holds(row, r))
      return found !== undefined
    }, 10_000, 100)
    return found as ChildBridge
  }

  it('SIGKILL of the replica holding the lease: the other takes it within two intervals of the kill', async () => {
    const leader = await leaderOf(replicas)
    const other = replicas.find((r) => r !== leader) as ChildBridge
    // Still the leader a renewal later: the lease is held, not merely taken once.
    await new Promise((r) => setTimeout(r, INTERVAL_MS / 2 + 500))
    expect(holds(await lease(), leader)).toBe(true)
    const killedAt = Date.now()
    await leader.kill('SIGKILL')
    // Poll well past the bound, so a late takeover fails on the measured time, not on a timeout.
    await eventually(async () => holds(await lease(), other), 4 * INTERVAL_MS, 100)
    const tookMs = Date.now() - killedAt
    expect(tookMs, `took over ${tookMs} ms after the kill`).toBeLessThan(2 * INTERVAL_MS)
  }, 40_000)

  it('SIGTERM releases the lease at once, and another replica takes it well within one interval', async () => {
    const leader = await leaderOf(replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null))
    const standby = await spawnBridge(env)
    replicas.push(standby)
    // The newcomer waits: the lease is the leader's, with time left on it.
    await new Promise((r) => setTimeout(r, 1_500))
    const before = await lease()
    expect(holds(before, leader)).toBe(true)
    expect(holds(before, standby)).toBe(false)
    const code = await leader.kill('SIGTERM')
    const exitedAt = Date.now()
    expect(code, leader.output().slice(-1_500)).toBe(0)
    // Right after exit the leader's lease is gone (deleted, expired, or already the standby's).
    const after = await lease()
    const released = after === undefined || Date.parse(after.expires_at) <= exitedAt || holds(after, standby)
    expect(released, `lease after exit: ${JSON.stringify(after)}, exited at ${new Date(exitedAt).toISOString()}`).toBe(true)
    // Meaningful only if the leader's lease would still have been valid at exit without the release.
    expect(exitedAt).toBeLessThan(Date.parse(before?.expires_at ?? ''))
    // The standby tries every interval/2: it needs no expiry to wait for.
    await eventually(async () => holds(await lease(), standby), 4 * INTERVAL_MS, 100)
    const tookMs = Date.now() - exitedAt
    expect(tookMs, `took over ${tookMs} ms after the exit`).toBeLessThan(INTERVAL_MS / 2 + 1_000)
  }, 40_000)
})
