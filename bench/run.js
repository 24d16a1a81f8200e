// npm run bench: every benchmark in turn, each printing its own figures.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

const benches = ['sinch-bulk.js', 'scim.js', 'filter-parse.js', 'coerce.js', 'store-update.js', 'store-read.js', 'request-log.js', 'backlog.js', 'group-patch.js', 'wide-work.js', 'provision.js', 'create-latency.js', 'reconcile.js', 'replicas.js', 'console.js']
let failed = 0
for (const b of benches) {
  const file = resolve(import.meta.dirname, b)
  if (!existsSync(file)) continue
  console.log(`\n=== ${b}`)
  const r = spawnSync(process.execPath, [file, ...process.argv.slice(2)], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exitCode = failed === 0 ? 0 : 1
