// The SCIM app alone on a SQLite file seeded with N users; run pinned to one core by bench/scim.js.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const N = Number(process.argv[2] ?? 1000)
const { openSqliteDatabase } = await import('../dist/store/sqlite/database.js')
const { createSqliteDirectory } = await import('../dist/store/sqlite/directory.js')
const { createStore } = await import('../dist/store/index.js')
const { createDirectory } = await import('../dist/directory/index.js')
const { buildApp } = await import('../dist/app.js')
const { createLogger } = await import('../dist/observability/logger.js')

const dir = mkdtempSync(join(tmpdir(), 'bench-scim-'))
const file = join(dir, 'b.db')
// Seeding only: a second handle without fsync, through the same directory code the app uses.
const seedDb = openSqliteDatabase(file)
seedDb.pragma('synchronous = OFF')
const seeder = createSqliteDirectory(seedDb)
const ids = []
for (let i = 0; i < N; i++) {
  const email = `user${i}@bench.example`
  const u = await seeder.createUser({ userName: email, externalId: `ext-${i}`, displayName: `User ${i}`, active: true, emails: [{ value: email, type: 'work', primary: true }], resource: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, name: { givenName: 'User', familyName: String(i) }, emails: [{ value: email, type: 'work', primary: true }], active: true } })
  if (i % Math.max(1, Math.floor(N / 100)) === 0) ids.push(u.id)
}
seedDb.prepare('DELETE FROM provision_queue').run()
seedDb.close()
// The seed was written without fsync: flush it to the disk now, or its write-back would run
// during the measured writes and be billed to their fsyncs.
spawnSync('sync')

const store = await createStore(`sqlite:${file}`)
const app = await buildApp({ logger: createLogger('silent'), scimBasePath: '/scim/v2', scimTokens: () => ['bench-token-0123456789abcdef'], directory: createDirectory(store) })
app.get('/bare', async () => ({ ok: true }))
const url = await app.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(`READY ${url} ${JSON.stringify(ids)}\n`)
process.on('message', (m) => {
  if (m === 'rss') process.send?.(process.memoryUsage())
})
process.on('SIGTERM', async () => { await app.close(); await store.close(); rmSync(dir, { recursive: true, force: true }); process.exit(0) })
