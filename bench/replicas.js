// bench/replicas: SCIM read throughput (GET by id) and provisioning throughput (POST → Sinch
// converged) with SQLite (one bridge) and PostgreSQL (one and two bridges behind a round robin).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { Pool } from 'undici'
import { CLI, arg, startSimulatorProcess } from './lib.js'

const USERS = arg('users', 1000)
const SECONDS = arg('seconds', 5)
const TOKEN = 'bench-replicas-token-0123456789'
const PG_URL = process.env.PGTEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

async function bridge (env) {
  const child = spawn(process.execPath, [CLI, 'serve'], { env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => { out += d; const m = /SCIM base URL\s+(\S+)/.exec(out); if (m) resolve(m[1]) })
    child.once('exit', (c) => reject(new Error(`bridge exited ${c}`)))
  })
  return { child, url }
}

class BenchFailure extends Error {}

async function run (label, databaseUrl, replicas, sim) {
  await sim.control('POST', 'reset')
  const env = { SINCH_KEY_ID: 'sandbox-key', SINCH_KEY_SECRET: 'sandbox-secret', SINCH_API_URL: sim.url, SINCH_AUTH_URL: `${sim.url}/oauth2/token`, SINCH_PROJECT_IDS: 'rep-a', SCIM_BEARER_TOKEN: TOKEN, DATABASE_URL: databaseUrl }
  const nodes = []
  for (let i = 0; i < replicas; i++) nodes.push(await bridge(env))
  const pools = nodes.map((n) => new Pool(new URL(n.url).origin, { connections: 10 }))
  const base = new URL(nodes[0].url).pathname
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' }
  let turn = 0
  const started = Date.now()
  const ids = []
  const failed = []
  let next = 0
  await Promise.all(Array.from({ length: 10 }, async () => {
    while (next < USERS) {
      const i = next++
      const res = await pools[turn++ % pools.length].request({ path: `${base}/Users`, method: 'POST', headers, body: JSON.stringify({ userName: `rep${i}@bench.example`, active: true }) })
      const text = await res.body.text()
      // Every create must succeed: a failed one would leave Sinch short (the wait below never ends)
      // and its missing id would skew the GET figure.
      if (res.statusCode !== 201) { failed.push(`rep${i}: ${res.statusCode} ${text.slice(0, 200)}`); continue }
      ids.push(JSON.parse(text).id)
    }
  }))
  if (failed.length > 0) {
    console.error(`  ${label}: ${failed.length} of ${USERS} POST /Users did not answer 201:`)
    for (const f of failed.slice(0, 20)) console.error(`    ${f}`)
    if (failed.length > 20) console.error(`    … and ${failed.length - 20} more`)
    for (const p of pools) await p.close()
    for (const n of nodes) { n.child.kill('SIGTERM'); await new Promise((r) => n.child.once('exit', r)) }
    throw new BenchFailure(`${label}: ${failed.length} create(s) failed`)
  }
  for (;;) {
    const dump = await sim.control('GET', 'dump?project=rep-a')
    if ((dump.projects['rep-a'] ?? []).length >= USERS) break
    await new Promise((r) => setTimeout(r, 100))
  }
  const provisionS = (Date.now() - started) / 1000
  let reads = 0
  const end = Date.now() + SECONDS * 1000
  await Promise.all(Array.from({ length: 10 }, async (_, k) => {
    while (Date.now() < end) {
      const res = await pools[(k + reads) % pools.length].request({ path: `${base}/Users/${ids[reads % ids.length]}`, method: 'GET', headers })
      await res.body.dump()
      reads++
    }
  }))
  console.log(`  ${label.padEnd(26)} provisioning ${(USERS / provisionS).toFixed(0).padStart(5)} users/s (${provisionS.toFixed(1)} s for ${USERS})   GET by id ${(reads / SECONDS).toFixed(0).padStart(6)} req/s`)
  for (const p of pools) await p.close()
  for (const n of nodes) { n.child.kill('SIGTERM'); await new Promise((r) => n.child.once('exit', r)) }
}

const sim = await startSimulatorProcess(['rep-a'], ['--rate', '5000', '--burst', '5000'])
console.log(`bench/replicas: ${USERS} users through SCIM POST until Sinch holds them all, then ${SECONDS} s of GET by id, 10 connections`)
try {
  await run('SQLite, 1 bridge', `sqlite:${join(mkdtempSync(join(tmpdir(), 'rep-')), 'b.db')}`, 1, sim)
  for (const replicas of [1, 2]) {
    const schema = `bench_${randomBytes(4).toString('hex')}`
    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
    try {
      await run(`PostgreSQL, ${replicas} bridge(s)`, `${PG_URL}?options=-c%20search_path%3D${schema}`, replicas, sim)
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`)
      await admin.end()
    }
  }
} catch (err) {
  if (!(err instanceof BenchFailure)) throw err
  console.error(`bench/replicas failed: ${err.message}; no figures are valid`)
  process.exitCode = 1
} finally {
  await sim.stop()
}
