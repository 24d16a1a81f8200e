// bench/backlog: a bulk grant that provisioning works off in the background — N users without
// access, then one group that grants MEMBER in a project to all of them — against the simulator
// (its own process) limited to R calls/s with L ms of latency on every call, as a remote Sinch
// has. Prints the time from the group's POST to Sinch holding all N members ÷ the ideal N/R, the
// pace between half and 95 % of them (past the limiter's slow start), the 429s, double invites
// and the calls Sinch got. With a real latency, how many users run at once and how many calls
// may be in flight bound a backlog as much as Sinch's limit does.
//   npm run build && node bench/backlog.js [--users 5000] [--rate 1000] [--latency 100]
// BENCH_DATABASE_URL=postgres://… runs the bridge on that (empty) database instead of SQLite.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { arg, inviteCounts, startSimulatorProcess } from './lib.js'

const N = arg('users', 5000)
const R = arg('rate', 1000)
const LATENCY = arg('latency', 100)
const PROJECT = 'backlog-a'
const TOKEN = 'bench-scim-token-0123456789abcdef'

const { loadConfig } = await import('../dist/config/load.js')
const { createBridge } = await import('../dist/main.js')
const { createLogger } = await import('../dist/observability/logger.js')

const sim = await startSimulatorProcess([PROJECT, 'backlog-spare'], ['--rate', String(R), '--burst', String(R)])
const dir = mkdtempSync(join(tmpdir(), 'bench-backlog-'))
// Access comes from the group alone: the default project is one no group names.
const loaded = loadConfig({
  SINCH_KEY_ID: 'sandbox-key', SINCH_KEY_SECRET: 'sandbox-secret', SINCH_API_URL: sim.url, SINCH_AUTH_URL: `${sim.url}/oauth2/token`,
  SINCH_PROJECT_IDS: `${PROJECT},backlog-spare`, SINCH_DEFAULT_PROJECT_IDS: 'backlog-spare', SCIM_BEARER_TOKEN: TOKEN,
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'b.db')}`, DATA_DIR: dir, LOG_LEVEL: 'silent'
}, '/nonexistent')
if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
const bridge = await createBridge(loaded.config, { logger: createLogger('silent') })
const url = await bridge.app.listen({ port: 0, host: '127.0.0.1' })
bridge.startBackground()
const scim = async (method, path, body) => {
  const res = await fetch(`${url}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) })
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return await res.json()
}

// The users first, at the simulator's own pace (their default project), then latency on.
const ids = []
let next = 0
await Promise.all(Array.from({ length: 10 }, async () => {
  while (next < N) { const i = next++; ids[i] = (await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `backlog${i}@example.com`, active: true })).id }
}))
for (;;) {
  const dump = await sim.control('GET', 'dump')
  if ((dump.projects['backlog-spare'] ?? []).length >= N) break
  await new Promise((r) => setTimeout(r, 200))
}
await sim.control('POST', 'faults', { latencyMs: LATENCY })
const before = bridge.sinch.stats()
const started = Date.now()
await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `sinch:${PROJECT}:MEMBER`, members: ids.map((value) => ({ value })) })
const answered = Date.now()
const samples = []
for (;;) {
  const dump = await sim.control('GET', 'dump')
  const held = (dump.projects[PROJECT] ?? []).length
  samples.push([Date.now(), held])
  if (held >= N) break
  if (Date.now() - started > 30 * 60_000) { console.log(`gave up after 30 min at ${held}`); break }
  await new Promise((r) => setTimeout(r, 250))
}
const elapsed = (Date.now() - started) / 1000
const counts = await inviteCounts(sim)
const doubles = [...counts.values()].filter((n) => n > 1).length
const stats = bridge.sinch.stats()
// Past the ramp: the pace between the samples that first reached half and 95 % of N.
const half = samples.find(([, h]) => h >= N * 0.5)
const most = samples.find(([, h]) => h >= N * 0.95)
const steady = half !== undefined && most !== undefined && most[0] > half[0] ? (most[1] - half[1]) / ((most[0] - half[0]) / 1000) : NaN
const ideal = N / R
console.log(`bench/backlog: ${N} users granted ${PROJECT} by one group, Sinch limit R=${R}/s per project, ${LATENCY} ms latency per call`)
console.log(`  group answered in ${((answered - started) / 1000).toFixed(1)} s; Sinch held all ${N} after ${elapsed.toFixed(1)} s; ideal N/R ${ideal.toFixed(1)} s; ratio ${(elapsed / ideal).toFixed(2)}; ${(N / elapsed).toFixed(0)} invites/s = ${(N / elapsed / R).toFixed(2)} of R; steady state (50–95 %) ${steady.toFixed(0)}/s = ${(steady / R).toFixed(2)} of R`)
const { requests } = await sim.control('GET', 'requests')
const byRoute = new Map()
for (const r of requests.filter((x) => Date.parse(x.at) >= started && x.projectId === PROJECT)) byRoute.set(r.route, (byRoute.get(r.route) ?? 0) + 1)
// The bridge shares this process with the load and the polling: a ceiling on its peak, not its own.
console.log(`  peak RSS of this process (bridge, load and polling): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`)
console.log(`  429s: ${stats.rateLimited - before.rateLimited}; double invites: ${doubles}; Sinch calls ${JSON.stringify(Object.fromEntries(byRoute))}`)
await bridge.close()
await sim.stop()
