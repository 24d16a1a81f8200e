// bench/scim: the SCIM surface on one core (taskset -c 0), load from the other (taskset -c 1),
// 10 connections. GET by id and filter userName eq (both over the same 100 users, so from the
// second read on they are served from kept documents), filter userName eq of users never read
// before (the first read: rendered from the view and kept; at 100,000 users only), PATCH of a
// non-provisioning attribute and POST, at 1,000 and 100,000 users (BENCH_SIZES). Each case is measured against a bare Fastify route
// served by a separate minimal process pinned to the same core: after a 1 s warm-up of each,
// BENCH_ROUNDS rounds (default 3) alternate bridge, bare, bridge, bare …, so both see the same
// machine, and the ratio of each bridge round to the bare round next to it is what compares across
// runs and machines. Per case: bridge req/s median and spread, bare median, ratio median and
// spread, p50/p99 of the median bridge round, each server's CPU time per request (median; the
// bridge's spread), the server's peak RSS during the case. Server RSS
// after seeding and after the load. Before each size it prints how much the server's core itself
// stalls (a busy loop pinned to core 0 counting pauses over 0.5 ms), since on a shared VM those
// pauses, not the code, set the floor of p99.
// Knobs: BENCH_SECONDS (per round, 5), BENCH_ROUNDS, BENCH_SIZES, BENCH_CASES (names containing any of these),
// BENCH_NODE_FLAGS (the servers' node flags, space-separated, instead of bench/lib NODE_FLAGS),
// BENCH_LOG_LEVEL (the bridge's log level, default silent; `info` is the deployed default).
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { Pool } from 'undici'
import { BENCH_NODE_FLAGS as NODE_FLAGS } from './lib.js'

if (process.env.BENCH_PINNED !== '1' && spawnSync('taskset', ['-c', '1', 'true']).status === 0) {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } })
  process.exit(r.status ?? 1)
}
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = 10
const TOKEN = 'bench-token-0123456789abcdef'
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const sizes = (process.env.BENCH_SIZES ?? '1000,100000').split(',').map(Number)
/** 'filter, first read' runs where a case's reads (about 10,000/s) cannot exhaust the users. */
const FIRST_READ_MIN = 50000

/** Pauses of the server's core while nothing of ours runs on it: the machine's own noise. */
function coreStalls () {
  const probe = 'const end=Date.now()+2000;let last=process.hrtime.bigint();const g=[];while(Date.now()<end){const t=process.hrtime.bigint();const d=Number(t-last)/1e6;if(d>0.5)g.push(d);last=t}console.log(JSON.stringify({n:g.length,max:Math.max(0,...g),total:g.reduce((a,b)=>a+b,0)}))'
  const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0
  const r = spawnSync(pin ? 'taskset' : process.execPath, pin ? ['-c', '0', process.execPath, '-e', probe] : ['-e', probe], { encoding: 'utf8' })
  const { n, max, total } = JSON.parse(r.stdout)
  return `${n} pauses > 0.5 ms in 2 s (longest ${max.toFixed(1)} ms, ${(total / 20).toFixed(1)} % of the time)`
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const serverScript = new URL('./scim-server.js', import.meta.url).pathname

/** `arg`: the number of users to seed, or 'bare' for the ceiling process. */
async function startServer (arg) {
  const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0
  const child = spawn(pin ? 'taskset' : process.execPath, pin ? ['-c', '0', process.execPath, ...NODE_FLAGS, serverScript, String(arg)] : [...NODE_FLAGS, serverScript, String(arg)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
  const line = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => { out += d; const m = /READY (\S+) (.*)\n/.exec(out); if (m) resolve(m) })
    child.once('exit', (c) => reject(new Error(`server exited ${c}`)))
  })
  return { child, url: line[1], ids: JSON.parse(line[2]) }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ). */
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100
/** CPU time the process has used (user + system, all its threads), in µs; null where /proc is not. */
function cpuMicros (pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) * 1e6 / TICKS
  } catch { return null }
}

/** `pid`: the server's, for the CPU time it spent per answered request. */
async function load (url, make, seconds = SECONDS, pid = null) {
  const cpu0 = pid === null ? null : cpuMicros(pid)
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 })
  const lat = []
  let errors = 0
  let i = 0
  const end = Date.now() + seconds * 1000
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
  const cpu1 = pid === null ? null : cpuMicros(pid)
  return { rps: lat.length / seconds, p50: q(0.5), p99: q(0.99), errors, cpu: cpu0 === null || cpu1 === null || lat.length === 0 ? null : (cpu1 - cpu0) / lat.length }
}

const MiB = (b) => Math.round(b / 1048576)
const memoryOf = (child) => new Promise((resolve) => { child.once('message', (m) => resolve(`${MiB(m.rss)} MiB (JS heap ${MiB(m.heapUsed)} of ${MiB(m.heapTotal)} MiB, outside the heap ${MiB(m.external)} MiB)`)); child.send('rss') })

/**
 * The server's peak RSS (VmHWM) since the last reset, in MiB: a sample after the load depends on
 * when the last GC ran, the peak does not. Linux only (null elsewhere); writing 5 to clear_refs
 * resets the peak to the current RSS.
 */
function peakRss (pid) {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb === undefined ? null : Number(kb) / 1024
  } catch { return null }
}
const resetPeak = (pid) => { try { writeFileSync(`/proc/${pid}/clear_refs`, '5') } catch { /* not Linux: no peak */ } }

const spreadOf = (xs, digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`
/**
 * The servers' CPU time per answered request, medians over the rounds: unlike req/s it does not
 * move with the load generator's core (the bare route is bound by it), so it compares builds run
 * minutes apart more steadily. The bare server is not saturated, so its figure includes the cost of
 * waking per request; it is a floor to read beside, not a ratio's denominator.
 */
function cpuOf (rounds) {
  const bridge = rounds.map((x) => x.cpu).filter((c) => c !== null)
  const bareCpu = rounds.map((x) => x.bareCpu).filter((c) => c !== null)
  return bridge.length === 0 ? '' : `  cpu ${median(bridge).toFixed(0)} µs/req (${spreadOf(bridge)}; bare ${bareCpu.length === 0 ? '?' : median(bareCpu).toFixed(0)})`
}

const bare = await startServer('bare')
const bareCase = () => ({ path: '/bare', method: 'GET' })
for (const n of sizes) {
  const t0 = Date.now()
  const { child, url, ids } = await startServer(n)
  console.log(`\nbench/scim at ${n} users (seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s), ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per case, bridge and bare alternating`)
  console.log(`  core 0 on its own: ${coreStalls()}`)
  console.log(`  server RSS after seeding: ${await memoryOf(child)}`)
  const step = Math.max(1, Math.floor(n / 100))
  // Users never read by this server (not one of GET's), in order; wraps only past n.
  let nextUnread = 0
  const firstRead = () => { do nextUnread = (nextUnread + 1) % n; while (nextUnread % step === 0); return nextUnread }
  const cases = {
    'GET /Users/{id}': (i) => ({ path: `/scim/v2/Users/${ids[i % ids.length]}`, method: 'GET' }),
    // The users GET reads (the seed's every (n/100)th): read again, as an IdP's next cycle reads a user unchanged since.
    'filter userName eq': (i) => ({ path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "user${(i % ids.length) * step}@bench.example"`)}`, method: 'GET' }),
    // Each request a user this server has not read before: no document kept yet (at 100,000 users only).
    ...(n >= FIRST_READ_MIN ? { 'filter, first read': () => ({ path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "user${firstRead()}@bench.example"`)}`, method: 'GET' }) } : {}),
    'PATCH name.givenName': (i) => ({ path: `/scim/v2/Users/${ids[i % ids.length]}`, method: 'PATCH', body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'name.givenName', value: `G${i}` }] }) }),
    'POST /Users': (i) => ({ path: '/scim/v2/Users', method: 'POST', body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `new${n}-${i}-${Date.now()}@bench.example`, emails: [{ value: `new${i}@bench.example`, type: 'work' }] }) })
  }
  const only = process.env.BENCH_CASES?.split(',')
  for (const [name, make] of Object.entries(cases)) {
    if (only !== undefined && !only.some((o) => name.includes(o))) continue
    // Warm-up (JIT, caches), not counted.
    resetPeak(child.pid)
    await load(url, make, 1)
    await load(bare.url, bareCase, 1)
    const rounds = []
    for (let k = 0; k < ROUNDS; k++) {
      const bridge = await load(url, make, SECONDS, child.pid)
      const ceiling = await load(bare.url, bareCase, SECONDS, bare.child.pid)
      rounds.push({ ...bridge, bare: ceiling.rps, bareCpu: ceiling.cpu, ratio: bridge.rps / ceiling.rps })
    }
    const m = median(rounds.map((r) => r.rps))
    const r = rounds.find((x) => x.rps === m)
    const errors = rounds.reduce((a, x) => a + x.errors, 0)
    const peak = peakRss(child.pid)
    const ratios = rounds.map((x) => x.ratio)
    console.log(`  ${name.padEnd(22)} ${m.toFixed(0).padStart(6)} req/s (${spreadOf(rounds.map((x) => x.rps))})  bare ${median(rounds.map((x) => x.bare)).toFixed(0)}  ratio ${median(ratios).toFixed(2)} (${spreadOf(ratios, 2)})  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms${cpuOf(rounds)}${peak === null ? '' : `  peak RSS ${peak.toFixed(0)} MiB`}${errors > 0 ? `  (${errors} non-2xx)` : ''}`)
  }
  console.log(`  server RSS after the load: ${await memoryOf(child)}`)
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
}
bare.child.kill('SIGTERM')
await new Promise((r) => bare.child.once('exit', r))
