import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../src/simulator/index.js'
import { eventually, SimControl, SIM_KEY, TEST_TOKEN } from '../support/bridge.js'
import { spawnBridge, type ChildBridge } from '../support/child-bridge.js'

const TOTAL = 1000

describe('crash: SIGKILL in the middle of 1,000 creates', () => {
  let sim: Simulator
  let control: SimControl
  let env: Record<string, string>
  let bridge: ChildBridge | null = null
  beforeAll(async () => {
    sim = createSimulator({ projects: ['p1', 'p2'], keys: [{ id: SIM_KEY.id, secret: SIM_KEY.secret }], bucket: { capacity: 2000, refillPerSec: 2000 } })
    const url = await sim.listen(0, '127.0.0.1')
    control = new SimControl(url)
    const dir = mkdtempSync(join(tmpdir(), 'crash-'))
    env = {
      SINCH_KEY_ID: SIM_KEY.id,
      SINCH_KEY_SECRET: SIM_KEY.secret,
      SINCH_API_URL: url,
      SINCH_AUTH_URL: `${url}/oauth2/token`,
      SINCH_PROJECT_IDS: 'p1,p2',
      SCIM_BEARER_TOKEN: TEST_TOKEN,
      DATABASE_URL: `sqlite:${join(dir, 'bridge.db')}`,
      DATA_DIR: dir,
      LOG_LEVEL: 'warn'
    }
  })
  afterAll(async () => {
    await bridge?.kill('SIGKILL')
    await sim.close()
  })

  it('every acknowledged user is invited exactly once after a restart on the same database', async () => {
    bridge = await spawnBridge(env)
    const acknowledged: string[] = []
    let next = 0
    let killed = false
    const post = async (): Promise<void> => {
      while (next < TOTAL && !killed) {
        const email = `crash${next++}@example.com`
        try {
          const res = await fetch(`${bridge?.url ?? ''}/Users`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' },
            body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, active: true })
          })
          if (res.status === 201) acknowledged.push(email)
          await res.arrayBuffer()
        } catch { /* the process died under this request: not acknowledged */ }
      }
    }
    const clients = Array.from({ length: 10 }, post)
    await eventually(() => acknowledged.length >= 300, 60_000, 10)
    killed = true
    await bridge.kill('SIGKILL')
    await Promise.all(clients)
    expect(acknowledged.length).toBeGreaterThanOrEqual(300)
    expect(acknowledged.length).toBeLessThan(TOTAL)

    bridge = await spawnBridge(env)
    await eventually(async () => {
      for (const p of ['p1', 'p2']) {
        const emails = new Set((await control.members(p)).map((m) => m.email.toLowerCase()))
        if (!acknowledged.every((e) => emails.has(e))) return false
      }
      return true
    }, 90_000, 250)
    const counts = await control.inviteCounts()
    for (const email of acknowledged) {
      expect(counts.get(`p1|${email}`)).toBe(1)
      expect(counts.get(`p2|${email}`)).toBe(1)
    }
  }, 180_000)
})
