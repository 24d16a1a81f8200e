// bench/sinch-bulk: N invites over 2 projects through the Sinch client against the simulator with
// a token bucket of R/s (capacity R) per project; prints elapsed time, achieved rate ÷ R, 429s
// seen, duplicates and lost invites. Target: ≥ 0.90·R, 0 duplicates, 0 lost.
import { arg, inviteCounts, startSimulatorProcess } from './lib.js'

const N = arg('invites', 5000)
const R = arg('rate', 200)
const PROJECTS = ['bulk-a', 'bulk-b']
const { createSinchClient } = await import('../dist/sinch/index.js')

const sim = await startSimulatorProcess(PROJECTS, ['--rate', String(R), '--burst', String(R)])
const client = createSinchClient({ apiUrl: sim.url, authUrl: `${sim.url}/oauth2/token`, keyId: 'sandbox-key', keySecret: 'sandbox-secret', authMode: 'oauth', retry: { maxAttempts: 50, deadlineMs: 600_000 } })
const started = Date.now()
let next = 0
async function worker () {
  while (next < N) {
    const i = next++
    await client.invite(PROJECTS[i % PROJECTS.length], { email: `bulk${i}@example.com`, role: 'MEMBER' })
  }
}
await Promise.all(Array.from({ length: 64 }, worker))
const elapsed = (Date.now() - started) / 1000
const dump = await sim.control('GET', 'dump')
const present = new Set(PROJECTS.flatMap((p) => (dump.projects[p] ?? []).map((m) => `${p}|${m.email}`)))
let lost = 0
for (let i = 0; i < N; i++) if (!present.has(`${PROJECTS[i % PROJECTS.length]}|bulk${i}@example.com`)) lost++
const counts = await inviteCounts(sim)
const duplicates = [...counts.values()].filter((n) => n > 1).length
const stats = client.stats()
// The bucket is per project, so the ceiling for the whole run is R per project.
const ceiling = R * PROJECTS.length
const achieved = N / elapsed
console.log(`bench/sinch-bulk: ${N} invites over ${PROJECTS.length} projects, bucket R=${R}/s per project (ceiling ${ceiling}/s)`)
console.log(`  elapsed ${elapsed.toFixed(1)} s; achieved ${achieved.toFixed(1)}/s = ${(achieved / ceiling).toFixed(3)} of the ceiling (target ≥ 0.90)`)
console.log(`  429s seen: ${stats.rateLimited}; retries: ${stats.retries}; duplicates: ${duplicates}; lost: ${lost}`)
await client.close()
await sim.stop()
