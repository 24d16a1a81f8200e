// bench/store-read: what the SQLite store's user reads cost on their own, in-process (no HTTP, so
// far less noise than bench/scim), on a file seeded as bench/scim seeds it (1,000 and 100,000 users
// by default). Three reads, each timed over the same users bench/scim reads:
//   by id, kept       userDocument of a user whose document is kept (GET /Users/{id})
//   filter, kept      queryUserDocuments of `userName eq` for such a user
//   filter, first     queryUserDocuments of a user never read before: the view read, a rendering
//                     and the keep (the keeper's transactions included, as they run on the loop)
// The renderer is a plain JSON.stringify of the record: the figures are the store's part of a read.
// Prints µs per read, the median of three rounds, and the spread.
//   npm run build && node bench/store-read.js [--users 1000,100000] [--reads 50000]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

if (process.env.BENCH_PINNED !== '1' && spawnSync('taskset', ['-c', '0', 'true']).status === 0) {
  const r = spawnSync('taskset', ['-c', '0', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } })
  process.exit(r.status ?? 1)
}
const { createSqliteStore } = await import('../dist/store/index.js')
const flag = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : fallback }
const sizes = flag('users', '1000,100000').split(',').map(Number)
const READS = Number(flag('reads', 50000))
const KEY = 'bench-store-read'
const render = (v) => JSON.stringify(v.record)
const byName = (name) => ({ where: [[{ attr: 'userName', op: 'eq', value: name, negate: false }]], sortBy: null, descending: false, offset: 0, limit: 100 })
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function time (read, n) {
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await read(i)
  return Number(process.hrtime.bigint() - t) / 1e3 / n
}

for (const N of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-read-'))
  const file = join(dir, 'r.db')
  const seeded = spawnSync(process.execPath, [new URL('./scim-server.js', import.meta.url).pathname, 'seed', String(N), file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (seeded.status !== 0) throw new Error(`seeding failed (${seeded.status})`)
  const ids = JSON.parse(seeded.stdout)
  const names = ids.map((_, k) => `user${k * (N / ids.length)}@bench.example`)
  const store = createSqliteStore(file)
  // Every user bench/scim reads again gets its document kept (the keeper's delay has passed).
  for (const id of ids) await store.userDocument(id, KEY, render)
  await new Promise((resolve) => setTimeout(resolve, 200))
  // Users never read here: in the seed's order from its start, skipping the ones kept above.
  const step = N / ids.length
  let fresh = 0
  const unread = () => { do fresh++; while (fresh % step === 0); return fresh }
  const cases = {
    'by id, kept': (i) => store.userDocument(ids[i % ids.length], KEY, render),
    'filter, kept': (i) => store.queryUserDocuments(byName(names[i % names.length]), KEY, render),
    'filter, first': () => store.queryUserDocuments(byName(`user${unread()}@bench.example`), KEY, render)
  }
  const firstReads = Math.min(READS, Math.floor(N / 4))
  console.log(`bench/store-read at ${N.toLocaleString('en')} users, ${READS.toLocaleString('en')} reads per round (first reads: ${firstReads.toLocaleString('en')}), 3 rounds`)
  for (const [name, read] of Object.entries(cases)) {
    const n = name === 'filter, first' ? firstReads : READS
    if (name !== 'filter, first') await time(read, 5000)
    const rounds = []
    for (let r = 0; r < 3; r++) rounds.push(await time(read, name === 'filter, first' ? Math.floor(n / 3) : n))
    console.log(`  ${name.padEnd(14)} ${median(rounds).toFixed(1)} µs per read (${Math.min(...rounds).toFixed(1)}–${Math.max(...rounds).toFixed(1)})`)
  }
  const stats = store.documentStats?.()
  if (stats !== undefined) console.log(`  documents: ${JSON.stringify(stats)}`)
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
