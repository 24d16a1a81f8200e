import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../src/simulator/index.js'
import { SIM_KEY, TEST_TOKEN } from '../support/bridge.js'
import { spawnBridge } from '../support/child-bridge.js'

describe('graceful shutdown of the built bridge (serve)', () => {
  let sim: Simulator
  let env: Record<string, string>
  beforeAll(async () => {
    sim = createSimulator({ projects: ['p1', 'p2'], keys: [{ id: SIM_KEY.id, secret: SIM_KEY.secret }] })
    const url = await sim.listen(0)
    const dir = mkdtempSync(join(tmpdir(), 'shutdown-'))
    env = { SINCH_KEY_ID: SIM_KEY.id, SINCH_KEY_SECRET: SIM_KEY.secret, SINCH_API_URL: url, SINCH_AUTH_URL: `${url}/oauth2/token`, SINCH_PROJECT_IDS: 'p1,p2', SCIM_BEARER_TOKEN: TEST_TOKEN, DATABASE_URL: `sqlite:${join(dir, 'b.db')}`, DATA_DIR: dir, LOG_LEVEL: 'warn' }
  })
  afterAll(async () => { await sim.close() })

  it('SIGTERM while a SCIM create waits on a slow Sinch: the request gets its answer, the process exits 0 within 10 s', async () => {
    const bridge = await spawnBridge(env)
    try {
      // Let the start-up reconcile finish at full speed, then make every Sinch member call slow.
      const listed = (): number => sim.control.requests().requests.filter((r) => r.route === 'list').length
      const deadline = Date.now() + 5_000
      while (listed() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      sim.control.addFault({ latencyMs: 1_500 })
      const inflight = fetch(`${bridge.url}/Users`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' }, body: JSON.stringify({ userName: 'late@example.com', active: true }) })
      // The invite to p1 is now sleeping inside the simulator; nothing has been answered yet.
      await new Promise((r) => setTimeout(r, 500))
      expect(sim.control.requests().requests.filter((r) => r.route === 'invite')).toEqual([])
      const started = Date.now()
      const exit = bridge.kill('SIGTERM')
      const res = await inflight
      expect(res.status).toBe(201)
      expect((await res.json() as { userName: string }).userName).toBe('late@example.com')
      const code = await exit
      expect(code, `exit code after ${Date.now() - started} ms; output:\n${bridge.output().slice(-1_500)}`).toBe(0)
      expect(Date.now() - started).toBeLessThan(10_000)
      // Both invites were made before the process went away, each exactly once.
      const invites = sim.control.requests().requests.filter((r) => r.route === 'invite')
      expect(invites.map((r) => `${r.projectId ?? ''}:${r.status}`).sort()).toEqual(['p1:201', 'p2:201'])
      // Once closing, new connections are refused.
      await expect(fetch(`${bridge.url}/Users`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).rejects.toThrow()
    } finally {
      sim.control.clearFaults()
      await bridge.kill('SIGKILL')
    }
  }, 30_000)
})
