// bench/durable-commit: what making a SQLite commit durable costs the event loop, three ways.
//   full          synchronous=FULL: COMMIT fsyncs the WAL on the main thread (the old path).
//   wal-datasync  synchronous=NORMAL + an fdatasync of the WAL on libuv's threadpool, group
//                 commit while one is in flight (the store's path: createDurableWrites + createWalSync).
//   worker        a worker_thread owning a second connection (synchronous=FULL) runs the writes;
//                 the main thread posts each turn's batch and waits for the answer.
// 10 concurrent "requests" each spend CPU_MS of work on the main thread and then one UPDATE;
// beside them 10 reads (CPU_MS of work, no write) run all the time: what they get done is what a
// durable commit leaves to the rest of the traffic.
// The process is pinned to one core (taskset -c 0) like the server in bench/scim. Prints writes/s,
// p50/p99, the main thread's busy share (event-loop utilization) and durable flushes per second.
// Usage: npm run build && node bench/durable-commit.js [--seconds 5] [--cpu-ms 0.2]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { arg } from './lib.js'

if (process.env.BENCH_PINNED !== '1' && spawnSync('taskset', ['-c', '0', 'true']).status === 0) {
  const r = spawnSync('taskset', ['-c', '0', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } })
  process.exit(r.status ?? 1)
}
const SECONDS = arg('seconds', 5)
const CPU_MS = arg('cpu-ms', 0.2)
const CONCURRENCY = 10
const ROWS = 1000
const { openSqliteDatabase } = await import('../dist/store/sqlite/database.js')
const { createDurableWrites } = await import('../dist/store/sqlite/batch.js')
const { createWalSync } = await import('../dist/store/sqlite/wal-sync.js')

const busy = (ms) => { const end = performance.now() + ms; while (performance.now() < end) { /* the request's own work */ } }

function freshFile () {
  const dir = mkdtempSync(join(tmpdir(), 'bench-durable-'))
  const file = join(dir, 'd.db')
  const db = openSqliteDatabase(file)
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
  const ins = db.prepare('INSERT INTO t VALUES (?, ?)')
  db.transaction(() => { for (let i = 0; i < ROWS; i++) ins.run(i, 'x') })()
  db.close()
  spawnSync('sync')
  return { dir, file }
}

async function inProcess (file, mode) {
  const db = openSqliteDatabase(file, { durability: mode })
  const update = db.prepare('UPDATE t SET v = ? WHERE id = ?')
  const wal = mode === 'wal-datasync' ? createWalSync(file) : null
  let flushes = 0
  const sync = wal === null ? undefined : async () => { flushes++; await wal.sync() }
  const writes = createDurableWrites(db, sync === undefined ? {} : { sync })
  // With `full` each transaction is a flush: a batch's writes run in one synchronous stretch.
  let batches = 0
  let inBatch = false
  const count = () => { if (!inBatch) { batches++; inBatch = true; process.nextTick(() => { inBatch = false }) } }
  return {
    write: async (i) => await writes.write(() => { count(); return update.run(`v${i}`, i % ROWS) }),
    flushes: () => (wal === null ? batches : flushes),
    close: async () => { await writes.drain(); await wal?.close(); db.close() }
  }
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.sqlite)
const db = new Database(workerData.file)
db.pragma('journal_mode = WAL'); db.pragma('synchronous = FULL')
const update = db.prepare('UPDATE t SET v = ? WHERE id = ?')
const batch = db.transaction((items) => items.map(([v, id]) => update.run(v, id).changes))
parentPort.on('message', (m) => { parentPort.postMessage({ seq: m.seq, results: batch(m.items) }) })
`

async function inWorker (file) {
  const worker = new Worker(WORKER, { eval: true, workerData: { file, sqlite: (await import('node:module')).createRequire(import.meta.url).resolve('better-sqlite3') } })
  const waiting = new Map()
  let seq = 0
  let items = []
  let resolvers = []
  let flushes = 0
  worker.on('message', (m) => { const rs = waiting.get(m.seq); waiting.delete(m.seq); rs.forEach((r, k) => r(m.results[k])) })
  const post = () => {
    const s = seq++
    waiting.set(s, resolvers)
    worker.postMessage({ seq: s, items })
    items = []
    resolvers = []
    flushes++
  }
  return {
    write: async (i) => await new Promise((resolve) => {
      if (items.length === 0) setImmediate(post)
      items.push([`v${i}`, i % ROWS])
      resolvers.push(resolve)
    }),
    flushes: () => flushes,
    close: async () => { await worker.terminate() }
  }
}

async function run (mode) {
  const { dir, file } = freshFile()
  const w = mode === 'worker' ? await inWorker(file) : await inProcess(file, mode)
  const lat = []
  let i = 0
  let reads = 0
  const go = async (seconds, record) => {
    const end = Date.now() + seconds * 1000
    const readers = Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        busy(CPU_MS)
        if (record) reads++
        await new Promise((resolve) => setImmediate(resolve))
      }
    })
    await Promise.all([...readers, ...Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now()
        busy(CPU_MS)
        await w.write(i++)
        if (record) lat.push(performance.now() - t0)
      }
    })])
  }
  await go(1, false)
  const f0 = w.flushes()
  const elu0 = performance.eventLoopUtilization()
  await go(SECONDS, true)
  const elu = performance.eventLoopUtilization(elu0)
  const flushes = w.flushes() - f0
  await w.close()
  rmSync(dir, { recursive: true, force: true })
  lat.sort((a, b) => a - b)
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]
  console.log(`  ${mode.padEnd(13)} ${(lat.length / SECONDS).toFixed(0).padStart(6)} writes/s  ${(reads / SECONDS).toFixed(0).padStart(6)} reads/s  write p50 ${q(0.5).toFixed(2)} ms  p99 ${q(0.99).toFixed(2)} ms  main thread busy ${(elu.utilization * 100).toFixed(0)} %  ${(flushes / SECONDS).toFixed(0)} durable flushes/s`)
}

console.log(`bench/durable-commit: ${CONCURRENCY} concurrent writers (${CPU_MS} ms of work, then a write) and ${CONCURRENCY} readers (${CPU_MS} ms of work), ${SECONDS} s per mode`)
for (const mode of (process.env.BENCH_MODES ?? 'full,wal-datasync,worker').split(',')) await run(mode)
