// Sizing: for 1k / 10k / 100k users, the RSS of a serving bridge and the size of its SQLite file.
//
//   npm run build && node bench/sizing.js [--projects 2] [--users 1000,10000,100000]
//   (BENCH_NODE_FLAGS="…" starts the bridge with other node flags than the deployed ones)
//
// Each size: N users are written into a fresh SQLite file through the store's directory code (as
// bench/scim-server.js seeds), the simulator holds N members in each managed project (listed by
// the start-up reconcile, so known_members has N × projects rows), then `serve` runs on that file
// until its first reconcile is done, and a burst of SCIM reads is served (the queue that reconcile
// filled is still draining). Prints the serving process's RSS (now and peak) and the database files' size;
// then every user is read once (pages of 100), which keeps each user's document, and the peak RSS
// and the files' size are printed again.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLI, BENCH_NODE_FLAGS as NODE_FLAGS, arg, startSimulatorProcess } from './lib.js'

const PROJECTS = arg('projects', 2)
const i = process.argv.indexOf('--users')
const SIZES = (i === -1 ? '1000,10000,100000' : process.argv[i + 1]).split(',').map(Number)
const TOKEN = 'sizing-token-0123456789abcdef'
const METRICS = 'sizing-metrics-0123456789abcdef'
const { openSqliteDatabase } = await import('../dist/store/sqlite/database.js')
const { createSqliteDirectory } = await import('../dist/store/sqlite/directory.js')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1)
const fileBytes = (file) => ['', '-wal', '-shm'].reduce((sum, s) => sum + (existsSync(file + s) ? statSync(file + s).size : 0), 0)
/** VmRSS (now) and VmHWM (peak) of a process, from Linux's /proc. */
function rss (pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024
  return { now: kib('VmRSS'), peak: kib('VmHWM') }
}

async function seed (file, n) {
  const db = openSqliteDatabase(file)
  db.pragma('synchronous = OFF')
  const dir = createSqliteDirectory(db)
  for (let k = 0; k < n; k++) {
    const email = `user${k}@sizing.example`
    await dir.createUser({ userName: email, externalId: `ext-${k}`, displayName: `User ${k}`, active: true, emails: [{ value: email, type: 'work', primary: true }], resource: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, name: { givenName: 'User', familyName: String(k) }, emails: [{ value: email, type: 'work', primary: true }], active: true } })
  }
  db.prepare('DELETE FROM provision_queue').run()
  db.close()
  spawnSync('sync')
}

async function metric (url, name) {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } }).catch(() => null)
  if (res === null || !res.ok) return null
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(await res.text())
  return m === null ? null : Number(m[1])
}

const rows = []
for (const n of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'sizing-'))
  const file = join(dir, 'bridge.db')
  const t0 = Date.now()
  await seed(file, n)
  process.stderr.write(`n=${n}: seeded in ${Date.now() - t0} ms\n`)
  const projects = Array.from({ length: PROJECTS }, (_, k) => `p${k + 1}`)
  const sim = await startSimulatorProcess(projects, ['--key-id', 'k', '--key-secret', 'sizing-secret', '--rate', '5000', '--burst', '5000'])
  for (const p of projects) await sim.control('POST', 'seed', { count: { project_id: p, n } })
  const port = 20000 + Math.floor(Math.random() * 20000)
  const env = { PATH: process.env.PATH, SINCH_KEY_ID: 'k', SINCH_KEY_SECRET: 'sizing-secret', SINCH_API_URL: sim.url, SINCH_AUTH_URL: `${sim.url}/oauth2/token`, SINCH_PROJECT_IDS: projects.join(','), SCIM_BEARER_TOKEN: TOKEN, METRICS_TOKEN: METRICS, DATABASE_URL: `sqlite:${file}`, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }
  const bridge = spawn(process.execPath, [...NODE_FLAGS, CLI, 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  const url = `http://127.0.0.1:${port}`
  // Ready and reconciled once (bounded: 10 minutes); the queue that reconcile filled (every user,
  // re-planned) still drains meanwhile, as after any start.
  const deadline = Date.now() + 600_000
  for (;;) {
    if (Date.now() > deadline) throw new Error(`n=${n}: the first reconcile did not finish in 10 minutes`)
    const last = await metric(url, 'bridge_reconcile_last_success_timestamp_seconds')
    if (last !== null && last > 0) break
    await sleep(500)
  }
  const settled = Date.now() - t0
  process.stderr.write(`n=${n}: served and reconciled after ${settled} ms\n`)
  // A burst of the reads an IdP makes: list pages and userName filters (200 requests, 8 at a time).
  const auth = { authorization: `Bearer ${TOKEN}` }
  for (let b = 0; b < 25; b++) {
    await Promise.all(Array.from({ length: 8 }, (_, j) => {
      const k = (b * 8 + j) * 37 % n
      const path = j % 2 === 0 ? `/scim/v2/Users?startIndex=${k + 1}&count=100` : `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "user${k}@sizing.example"`)}`
      return fetch(url + path, { headers: auth }).then((r) => r.text())
    }))
  }
  const mem = rss(bridge.pid)
  const sqliteBytes = fileBytes(file)
  // Then every user read once (an IdP's import: pages of 100, 4 at a time), so each has its kept
  // document: what that costs on disk, and the peak RSS it took.
  const pages = Math.ceil(n / 100)
  for (let p = 0; p < pages; p += 4) {
    await Promise.all(Array.from({ length: Math.min(4, pages - p) }, (_, j) => fetch(`${url}/scim/v2/Users?startIndex=${(p + j) * 100 + 1}&count=100`, { headers: auth }).then((r) => r.text())))
  }
  await sleep(1000)
  const afterAll = rss(bridge.pid)
  const readAllBytes = fileBytes(file)
  await new Promise((r) => { bridge.once('exit', r); bridge.kill('SIGTERM') })
  const kept = openSqliteDatabase(file)
  const documents = kept.prepare('SELECT count(*) FROM user_documents').pluck().get()
  kept.close()
  await sim.stop()
  rows.push({ users: n, projects: PROJECTS, knownMembers: n * PROJECTS, rssMiB: mib(mem.now), peakRssMiB: mib(mem.peak), sqliteMiB: mib(sqliteBytes), readAllPeakRssMiB: mib(afterAll.peak), readAllSqliteMiB: mib(readAllBytes), documents, seconds: Math.round(settled / 1000) })
  process.stdout.write(`${JSON.stringify(rows.at(-1))}\n`)
  rmSync(dir, { recursive: true, force: true })
}

process.stdout.write(`\n| users | projects | Sinch members listed | RSS serving (peak) | SQLite file | every user read once: peak RSS, SQLite file (documents kept) |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n`)
for (const r of rows) process.stdout.write(`| ${r.users.toLocaleString('en-US')} | ${r.projects} | ${r.knownMembers.toLocaleString('en-US')} | ${r.rssMiB} MiB (${r.peakRssMiB} MiB) | ${r.sqliteMiB} MiB | ${r.readAllPeakRssMiB} MiB, ${r.readAllSqliteMiB} MiB (${r.documents.toLocaleString('en-US')}) |\n`)
