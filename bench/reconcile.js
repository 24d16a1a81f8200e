// bench/reconcile: a full reconcile over M members spread over 2 projects: list calls (target
// Σ ceil(n/100) plus token calls), elapsed time, and the bridge's peak RSS (target < 200 MiB).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { arg, rssMiB, startSimulatorProcess } from './lib.js'

const M = arg('members', 100_000)
const PROJECTS = ['rec-a', 'rec-b']
const { loadConfig } = await import('../dist/config/load.js')
const { createBridge } = await import('../dist/main.js')
const { createLogger } = await import('../dist/observability/logger.js')

const sim = await startSimulatorProcess(PROJECTS)
await sim.control('POST', 'config', { bucket: { capacity: 1000, refillPerSec: 1000 } })
const perProject = PROJECTS.map((_, i) => Math.floor(M / PROJECTS.length) + (i < M % PROJECTS.length ? 1 : 0))
for (const [i, p] of PROJECTS.entries()) await sim.control('POST', 'seed', { count: { project_id: p, n: perProject[i], domain: `${p}.example` } })
await sim.control('DELETE', 'requests')

const dir = mkdtempSync(join(tmpdir(), 'bench-reconcile-'))
const loaded = loadConfig({
  SINCH_KEY_ID: 'sandbox-key', SINCH_KEY_SECRET: 'sandbox-secret', SINCH_API_URL: sim.url, SINCH_AUTH_URL: `${sim.url}/oauth2/token`,
  SINCH_PROJECT_IDS: PROJECTS.join(','), SCIM_BEARER_TOKEN: 'bench-scim-token-0123456789abcdef', DATABASE_URL: `sqlite:${join(dir, 'r.db')}`, DATA_DIR: dir, LOG_LEVEL: 'silent'
}, '/nonexistent')
if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
const bridge = await createBridge(loaded.config, { logger: createLogger('silent') })
let peak = rssMiB()
const sampler = setInterval(() => { peak = Math.max(peak, rssMiB()) }, 50)

for (const round of ['first (empty store)', 'second (steady state)']) {
  await sim.control('DELETE', 'requests')
  const started = Date.now()
  const report = await bridge.reconciler.runOnce()
  const elapsed = (Date.now() - started) / 1000
  const { requests } = await sim.control('GET', 'requests')
  const lists = requests.filter((r) => r.route === 'list').length
  const tokens = requests.filter((r) => r.route === 'token').length
  const expected = perProject.reduce((n, c) => n + Math.ceil(c / 100), 0)
  console.log(`bench/reconcile ${round}: ${M} members over ${PROJECTS.length} projects, ok=${report.ok}`)
  console.log(`  list calls: ${lists} (target ${expected} = Σ ceil(n/100)) + ${tokens} token call(s)`)
  console.log(`  elapsed: ${elapsed.toFixed(1)} s; members seen: ${report.projects.reduce((n, p) => n + p.members, 0)}`)
}
clearInterval(sampler)
console.log(`  peak RSS of the bridge process: ${Math.max(peak, rssMiB())} MiB (target < 200)`)
await bridge.close()
await sim.stop()
