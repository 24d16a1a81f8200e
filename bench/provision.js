// bench/provision: N users × P projects through SCIM POST against the simulator limited to R
// invites/s in total; time to full convergence ÷ (N·P/R) (target ≤ 1.10) and double invites (target 0).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { arg, inviteCounts, startSimulatorProcess } from './lib.js'

const N = arg('users', 5000)
const R = arg('rate', 200)
const PROJECTS = ['bench-a', 'bench-b']
const P = PROJECTS.length
const TOKEN = 'bench-scim-token-0123456789abcdef'

const { loadConfig } = await import('../dist/config/load.js')
const { createBridge } = await import('../dist/main.js')
const { createLogger } = await import('../dist/observability/logger.js')

const sim = await startSimulatorProcess(PROJECTS)
// The bucket is per key and project: R/P per project makes the account-wide limit R.
await sim.control('POST', 'config', { bucket: { capacity: Math.ceil(R / P), refillPerSec: R / P } })
const dir = mkdtempSync(join(tmpdir(), 'bench-provision-'))
const loaded = loadConfig({
  SINCH_KEY_ID: 'sandbox-key', SINCH_KEY_SECRET: 'sandbox-secret', SINCH_API_URL: sim.url, SINCH_AUTH_URL: `${sim.url}/oauth2/token`,
  SINCH_PROJECT_IDS: PROJECTS.join(','), SCIM_BEARER_TOKEN: TOKEN, DATABASE_URL: `sqlite:${join(dir, 'b.db')}`, DATA_DIR: dir, LOG_LEVEL: 'silent'
}, '/nonexistent')
if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
const bridge = await createBridge(loaded.config, { logger: createLogger('silent'), requestBudgetMs: 200 })
const url = await bridge.app.listen({ port: 0, host: '127.0.0.1' })
bridge.startBackground()

const started = Date.now()
let next = 0
let failed = 0
async function client () {
  while (next < N) {
    const i = next++
    const res = await fetch(`${url}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `bench${i}@example.com`, active: true })
    })
    if (res.status !== 201) failed++
    await res.arrayBuffer()
  }
}
await Promise.all(Array.from({ length: 10 }, client))
const postsDone = Date.now()
for (;;) {
  const dump = await sim.control('GET', 'dump')
  const counts = PROJECTS.map((p) => (dump.projects[p] ?? []).length)
  if (counts.every((c) => c >= N)) break
  if (Date.now() - started > 30 * 60_000) { console.log('gave up after 30 min', counts); break }
  await new Promise((r) => setTimeout(r, 200))
}
const elapsed = (Date.now() - started) / 1000
const ideal = N * P / R
const counts = await inviteCounts(sim)
const doubles = [...counts.values()].filter((n) => n > 1).length
const stats = bridge.sinch.stats()
console.log(`bench/provision: ${N} users × ${P} projects, simulator limit R=${R} invites/s in total`)
console.log(`  SCIM POSTs: ${N - failed} × 201, ${failed} other, all answered in ${((postsDone - started) / 1000).toFixed(1)} s`)
console.log(`  convergence: ${elapsed.toFixed(1)} s; ideal N·P/R = ${ideal.toFixed(1)} s; ratio ${(elapsed / ideal).toFixed(3)} (target ≤ 1.10)`)
console.log(`  double invites: ${doubles} (target 0); 429s seen by the client: ${stats.rateLimited}`)
await bridge.close()
await sim.stop()
