// bench/wide-work: the request path under wide work, each part in a fresh process so RSS is its own.
//   filter: GET /Users with a filter no index answers (name.familyName) over N users: ms per request
//           one at a time, then RSS before/after 16 such requests in parallel.
//   group:  one PATCH adding N members to a group that grants a role, on a bridge with the simulator
//           (its own process): ms for the answer and RSS before/peak/after.
// Usage: node bench/wide-work.js [--users 10000]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { arg, rssMiB, startSimulatorProcess } from './lib.js'

const N = arg('users', 10_000)
const TOKEN = 'bench-token-0123456789abcdef'
const part = process.argv[process.argv.indexOf('--part') + 1]
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const userBody = (i) => {
  const email = `user${i}@bench.example`
  return { userName: email, externalId: `ext-${i}`, displayName: `User ${i}`, active: true, emails: [{ value: email, type: 'work', primary: true }], resource: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, name: { givenName: 'User', familyName: String(i) }, emails: [{ value: email, type: 'work', primary: true }], active: true } }
}

/** Seeds N users through the directory code, without fsync, and leaves nothing queued. */
async function seed (file) {
  const { openSqliteDatabase } = await import('../dist/store/sqlite/database.js')
  const { createSqliteDirectory } = await import('../dist/store/sqlite/directory.js')
  const db = openSqliteDatabase(file)
  db.pragma('synchronous = OFF')
  const d = createSqliteDirectory(db)
  const ids = []
  for (let i = 0; i < N; i++) ids.push((await d.createUser(userBody(i))).id)
  db.prepare('DELETE FROM provision_queue').run()
  db.close()
  spawnSync('sync')
  return ids
}

/** Samples RSS every 20 ms while `fn` runs: [result, peak MiB]. */
async function withPeak (fn) {
  let peak = rssMiB()
  const t = setInterval(() => { peak = Math.max(peak, rssMiB()) }, 20)
  try {
    return [await fn(), Math.max(peak, rssMiB())]
  } finally {
    clearInterval(t)
  }
}

async function filterPart () {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wide-'))
  const file = join(dir, 'b.db')
  await seed(file)
  const { createStore } = await import('../dist/store/index.js')
  const { createDirectory } = await import('../dist/directory/index.js')
  const { buildApp } = await import('../dist/app.js')
  const { createLogger } = await import('../dist/observability/logger.js')
  const store = await createStore(`sqlite:${file}`)
  const app = await buildApp({ logger: createLogger('silent'), scimBasePath: '/scim/v2', scimTokens: () => [TOKEN], directory: createDirectory(store) })
  const url = `/scim/v2/Users?filter=${encodeURIComponent(`name.familyName eq "${N - 1}"`)}&count=10`
  const get = async () => {
    const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } })
    if (r.statusCode !== 200 || JSON.parse(r.body).totalResults !== 1) throw new Error(`${r.statusCode} ${r.body.slice(0, 200)}`)
  }
  for (let i = 0; i < 3; i++) await get()
  const times = []
  for (let i = 0; i < 15; i++) {
    const t0 = process.hrtime.bigint()
    await get()
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  const before = rssMiB()
  const [, peak] = await withPeak(async () => await Promise.all(Array.from({ length: 16 }, get)))
  console.log(`bench/wide-work filter: ${N.toLocaleString('en')} users, name.familyName eq (no index): ${median(times).toFixed(1)} ms per request (median of 15); 16 in parallel: RSS ${before} → peak ${peak} MiB (+${peak - before})`)
  await app.close()
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}

async function groupPart () {
  const projects = ['bench-a']
  const sim = await startSimulatorProcess(projects)
  const dir = mkdtempSync(join(tmpdir(), 'bench-wide-'))
  const file = join(dir, 'b.db')
  const ids = await seed(file)
  const { loadConfig } = await import('../dist/config/load.js')
  const { createBridge } = await import('../dist/main.js')
  const { createLogger } = await import('../dist/observability/logger.js')
  const loaded = loadConfig({
    SINCH_KEY_ID: 'sandbox-key', SINCH_KEY_SECRET: 'sandbox-secret', SINCH_API_URL: sim.url, SINCH_AUTH_URL: `${sim.url}/oauth2/token`,
    SINCH_PROJECT_IDS: projects.join(','), SINCH_DEFAULT_PROJECT_IDS: '', SCIM_BEARER_TOKEN: TOKEN, DATABASE_URL: `sqlite:${file}`, DATA_DIR: dir, LOG_LEVEL: 'silent'
  }, '/nonexistent')
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
  // The worker is not started: what is measured is the request path alone.
  const bridge = await createBridge(loaded.config, { logger: createLogger('silent') })
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' }
  const send = async (method, url, body) => {
    const r = await bridge.app.inject({ method, url, headers, payload: JSON.stringify(body) })
    if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body.slice(0, 200)}`)
    return r.body === '' ? null : JSON.parse(r.body)
  }
  const g = await send('POST', '/scim/v2/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'sinch:bench-a:MEMBER', members: [] })
  const before = rssMiB()
  const t0 = Date.now()
  const [, peak] = await withPeak(async () => await send('PATCH', `/scim/v2/Groups/${g.id}?excludedAttributes=members`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }]
  }))
  const ms = Date.now() - t0
  const depth = (await bridge.store.queueDepth()).depth
  console.log(`bench/wide-work group: PATCH adding ${N.toLocaleString('en')} members to a role-granting group answered in ${ms} ms; RSS ${before} → peak ${peak} MiB (+${peak - before}), ${rssMiB()} MiB after; ${depth.toLocaleString('en')} users left queued for the worker`)
  await sim.stop()
  // The queued users are the worker's; the bench ends here without running them.
  process.exit(0)
}

if (part === 'filter') await filterPart()
else if (part === 'group') await groupPart()
else {
  let failed = 0
  for (const p of ['filter', 'group']) {
    const r = spawnSync(process.execPath, [import.meta.filename, '--part', p, '--users', String(N)], { stdio: 'inherit' })
    if (r.status !== 0) failed++
  }
  process.exitCode = failed === 0 ? 0 : 1
}
