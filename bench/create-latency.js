// bench/create-latency: how long one SCIM POST waits for Sinch when a new user is invited to P
// projects and every Sinch call takes L ms, with SINCH_PROJECTS_AT_ONCE=1 (one project after the
// other) against the default 4 (side by side). Sequential POSTs from one client, so the figure is
// the wait the IdP sees, not throughput. Expect about P·L against L.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { arg, startSimulatorProcess } from './lib.js'

const N = arg('users', 40)
const L = arg('latency', 50)
const P = arg('projects', 4)
const PROJECTS = Array.from({ length: P }, (_, i) => `lat-${i + 1}`)
const TOKEN = 'bench-scim-token-0123456789abcdef'

const { loadConfig } = await import('../dist/config/load.js')
const { createBridge } = await import('../dist/main.js')
const { createLogger } = await import('../dist/observability/logger.js')

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

async function round (sim, atOnce, tag) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-create-latency-'))
  const loaded = loadConfig({
    SINCH_KEY_ID: 'sandbox-key', SINCH_KEY_SECRET: 'sandbox-secret', SINCH_API_URL: sim.url, SINCH_AUTH_URL: `${sim.url}/oauth2/token`,
    SINCH_PROJECT_IDS: PROJECTS.join(','), SCIM_BEARER_TOKEN: TOKEN, DATABASE_URL: `sqlite:${join(dir, 'b.db')}`, DATA_DIR: dir,
    LOG_LEVEL: 'silent', SINCH_PROJECTS_AT_ONCE: String(atOnce)
  }, '/nonexistent')
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
  const bridge = await createBridge(loaded.config, { logger: createLogger('silent') })
  const url = await bridge.app.listen({ port: 0, host: '127.0.0.1' })
  const times = []
  try {
    for (let i = 0; i < N; i++) {
      const started = performance.now()
      const res = await fetch(`${url}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${tag}-${i}@example.com`, active: true })
      })
      await res.arrayBuffer()
      if (res.status !== 201) throw new Error(`POST answered ${res.status}`)
      times.push(performance.now() - started)
    }
  } finally {
    await bridge.close()
  }
  times.sort((a, b) => a - b)
  return { median: quantile(times, 0.5), p90: quantile(times, 0.9) }
}

const sim = await startSimulatorProcess(PROJECTS, ['--auto-accept-ms', '0', '--rate', '10000', '--burst', '10000'])
await sim.control('POST', 'faults', { latencyMs: L })
console.log(`bench/create-latency: ${N} sequential SCIM POSTs, each inviting to ${P} projects; every Sinch call takes ${L} ms`)
const results = { 1: [], 4: [] }
// Alternate the two settings so drift on a noisy machine hits both alike.
for (let r = 0; r < 2; r++) {
  for (const atOnce of [1, 4]) results[atOnce].push(await round(sim, atOnce, `r${r}-a${atOnce}`))
}
for (const atOnce of [1, 4]) {
  const med = results[atOnce].map((x) => x.median).sort((a, b) => a - b)
  const p90 = results[atOnce].map((x) => x.p90).sort((a, b) => a - b)
  console.log(`  SINCH_PROJECTS_AT_ONCE=${atOnce}: POST median ${med.map((m) => m.toFixed(0)).join(' / ')} ms, p90 ${p90.map((m) => m.toFixed(0)).join(' / ')} ms (per round)`)
}
const ratio = results[1].reduce((n, x) => n + x.median, 0) / results[4].reduce((n, x) => n + x.median, 0)
console.log(`  one-after-another ÷ side-by-side (median): ${ratio.toFixed(2)} (ideal ${Math.min(P, 4)}.00)`)
await sim.stop()
