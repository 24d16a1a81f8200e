// bench/console: how fast the admin console answers with N users (default 10,000) in SQLite, each
// a managed member of both projects, 300 pending or failed changes and 2,000 audit entries. Every
// page is fetched over real HTTP, sequentially (one admin), after a warm-up; prints p50/p95/max per
// page against the target of 100 ms.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { arg } from './lib.js'

const N = arg('users', 10_000)
const ROUNDS = arg('rounds', 30)
const TARGET_MS = 100
const TOKEN = 'bench-console-token-0123456789ab'
const PROJECTS = ['con-a', 'con-b']
const { loadConfig } = await import('../dist/config/load.js')
const { createBridge } = await import('../dist/main.js')
const { createLogger } = await import('../dist/observability/logger.js')

const dir = mkdtempSync(join(tmpdir(), 'bench-console-'))
const loaded = loadConfig({ SINCH_PROJECT_IDS: PROJECTS.join(','), SCIM_BEARER_TOKEN: TOKEN, DATABASE_URL: `sqlite:${join(dir, 'c.db')}`, DATA_DIR: dir, LOG_LEVEL: 'silent' }, '/nonexistent')
if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
const bridge = await createBridge(loaded.config, { logger: createLogger('silent') })
const { store } = bridge

const seeded = Date.now()
const ids = []
// A hundred at a time: the store's write batcher commits them together.
for (let i = 0; i < N; i += 100) {
  ids.push(...(await Promise.all(Array.from({ length: Math.min(100, N - i) }, (_, k) => {
    const n = String(i + k).padStart(5, '0')
    return store.createUser({ userName: `user${n}@bench.example`, externalId: `ext-${n}`, displayName: `Bench User ${n}`, active: true, emails: [{ value: `user${n}@bench.example`, primary: true }], resource: {} })
  }))).map((u) => u.id))
}
// A reconcile first (the sandbox's Sinch is empty), so the known members seeded next stay.
await bridge.reconciler.runOnce()
const at = new Date().toISOString()
for (const p of PROJECTS) {
  for (let i = 0; i < N; i += 1000) {
    await store.upsertKnownMembers(ids.slice(i, i + 1000).map((id, k) => ({ projectId: p, email: `user${String(i + k).padStart(5, '0')}@bench.example`, sinchUserId: `s-${i + k}`, role: 'MEMBER', status: 'ACTIVE', scimUserId: id, origin: 'invited', seenAt: at })))
  }
}
for (let i = 0; i < 300; i++) await store.setOpState({ userId: ids[i], projectId: PROJECTS[i % 2], state: i < 200 ? 'pending' : 'failed', lastError: `Sinch answered 503 (try ${i})`, attempts: 2, updatedAt: at })
for (let i = 0; i < 2000; i++) await store.appendAudit({ at, scimUserId: ids[i % N], email: `user${String(i % N).padStart(5, '0')}@bench.example`, projectId: PROJECTS[i % 2], action: 'invite', fromRole: null, toRole: 'MEMBER', rule: 'default projects', outcome: 'ok', detail: null, durationMs: 12 })
for (let i = 0; i < 20; i++) await bridge.sampler.sampleNow()
console.log(`bench/console: ${N} users (each a member of ${PROJECTS.length} projects), seeded in ${((Date.now() - seeded) / 1000).toFixed(1)} s`)

const url = await bridge.app.listen({ port: 0, host: '127.0.0.1' })
const auth = { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }
// Each page with a piece of text it must hold, so a fast error page cannot pass for a fast page.
const pages = {
  overview: ['/status', 'id="card-failed"'],
  'people (page 1)': ['/status/people', `${N} people`],
  'people search': [`/status/people?q=${encodeURIComponent('user0999')}`, '10 matching'],
  person: [`/status/people/${ids[Math.floor(N / 2)]}`, 'Access per managed project'],
  changes: ['/status/changes', '100 failed, 200 pending.'],
  'project (200 of N)': [`/status/projects/${PROJECTS[0]}`, `${N - 200} more not shown`],
  activity: ['/status/activity', 'Bench User']
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]
let worst = 0
for (const [name, [path, expected]] of Object.entries(pages)) {
  const times = []
  for (let i = 0; i < ROUNDS + 3; i++) {
    const t0 = performance.now()
    const res = await fetch(`${url}${path}`, { headers: auth })
    const body = await res.text()
    const ms = performance.now() - t0
    if (res.status !== 200 || !body.includes(expected)) throw new Error(`${path}: ${res.status}, without "${expected}": ${body.slice(0, 300)}`)
    if (i >= 3) times.push(ms)
  }
  const p95 = pct(times, 0.95)
  worst = Math.max(worst, p95)
  console.log(`  ${name.padEnd(20)} p50 ${pct(times, 0.5).toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms   max ${Math.max(...times).toFixed(1).padStart(6)} ms`)
}
console.log(`  slowest page p95: ${worst.toFixed(1)} ms (target < ${TARGET_MS} ms) ${worst < TARGET_MS ? 'OK' : 'OVER TARGET'}`)
await bridge.close()
process.exitCode = worst < TARGET_MS ? 0 : 1
