// bench/scim: the SCIM surface on one core (taskset -c 0), load from the other (taskset -c 1),
// 10 connections. GET by id, filter userName eq, PATCH of a non-provisioning attribute, POST, and
// a bare Fastify route as the ceiling; at 1,000 and 100,000 users. Prints req/s, p50/p99, RSS.
import { spawn, spawnSync } from 'node:child_process'
import { Pool } from 'undici'

if (process.env.BENCH_PINNED !== '1' && spawnSync('taskset', ['-c', '1', 'true']).status === 0) {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } })
  process.exit(r.status ?? 1)
}
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = 10
const TOKEN = 'bench-token-0123456789abcdef'
const sizes = (process.env.BENCH_SIZES ?? '1000,100000').split(',').map(Number)

async function startServer (n) {
  const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0
  const child = spawn(pin ? 'taskset' : process.execPath, pin ? ['-c', '0', process.execPath, 'bench/scim-server.js', String(n)] : ['bench/scim-server.js', String(n)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
  const line = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => { out += d; const m = /READY (\S+) (.*)\n/.exec(out); if (m) resolve(m) })
    child.once('exit', (c) => reject(new Error(`server exited ${c}`)))
  })
  return { child, url: line[1], ids: JSON.parse(line[2]) }
}

async function load (url, make) {
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 })
  const lat = []
  let errors = 0
  let i = 0
  const end = Date.now() + SECONDS * 1000
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (Date.now() < end) {
      const req = make(i++)
      const t0 = process.hrtime.bigint()
      const res = await pool.request({ ...req, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json', ...req.headers } })
      await res.body.dump()
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6)
      if (res.statusCode >= 300) errors++
    }
  }))
  await pool.close()
  lat.sort((a, b) => a - b)
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0
  return { rps: lat.length / SECONDS, p50: q(0.5), p99: q(0.99), errors }
}

const rssOf = (child) => new Promise((resolve) => { child.once('message', (m) => resolve(Math.round(m.rss / 1048576))); child.send('rss') })

for (const n of sizes) {
  const t0 = Date.now()
  const { child, url, ids } = await startServer(n)
  console.log(`\nbench/scim at ${n} users (seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s), ${CONNECTIONS} connections, ${SECONDS} s each`)
  const cases = {
    'bare route (ceiling)': () => ({ path: '/bare', method: 'GET' }),
    'GET /Users/{id}': (i) => ({ path: `/scim/v2/Users/${ids[i % ids.length]}`, method: 'GET' }),
    'filter userName eq': (i) => ({ path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "user${(i * 7919) % n}@bench.example"`)}`, method: 'GET' }),
    'PATCH name.givenName': (i) => ({ path: `/scim/v2/Users/${ids[i % ids.length]}`, method: 'PATCH', body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'name.givenName', value: `G${i}` }] }) }),
    'POST /Users': (i) => ({ path: '/scim/v2/Users', method: 'POST', body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `new${n}-${i}-${Date.now()}@bench.example`, emails: [{ value: `new${i}@bench.example`, type: 'work' }] }) })
  }
  for (const [name, make] of Object.entries(cases)) {
    const r = await load(url, make)
    console.log(`  ${name.padEnd(22)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms${r.errors > 0 ? `  (${r.errors} non-2xx)` : ''}`)
  }
  console.log(`  server RSS after the run: ${await rssOf(child)} MiB`)
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
}
