// The SCIM app alone on a SQLite file seeded with N users (by a separate process), wired as main.ts
// wires it for reads (Sinch extension with grantedBy, the request metrics hook); run pinned to one
// core by bench/scim.js.
// `node bench/scim-server.js bare` is the ceiling instead: a separate, minimal Fastify process with
// one route and no hooks of the bridge.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const onRss = () => process.on('message', (m) => { if (m === 'rss') process.send?.(process.memoryUsage()) })

if (process.argv[2] === 'bare') {
  const { default: Fastify } = await import('fastify')
  const app = Fastify()
  app.get('/bare', async () => ({ ok: true }))
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  process.stdout.write(`READY ${url} []\n`)
  onRss()
  process.on('SIGTERM', async () => { await app.close(); process.exit(0) })
} else if (process.argv[2] === 'seed') {
  await seed(Number(process.argv[3]), process.argv[4])
} else {
  const N = Number(process.argv[2] ?? 1000)
  const dir = mkdtempSync(join(tmpdir(), 'bench-scim-'))
  const file = join(dir, 'b.db')
  // Seeded by a process of its own: the server then starts on an existing directory as in
  // production, and its RSS is not the heap the seeding grew.
  const seeded = spawnSync(process.execPath, [new URL(import.meta.url).pathname, 'seed', String(N), file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (seeded.status !== 0) throw new Error(`seeding failed (${seeded.status})`)
  const ids = JSON.parse(seeded.stdout)
  // The seed was written without fsync: flush it to the disk now, or its write-back would run
  // during the measured writes and be billed to their fsyncs.
  spawnSync('sync')

  const { createStore } = await import('../dist/store/index.js')
  const { createDirectory } = await import('../dist/directory/index.js')
  const { buildApp } = await import('../dist/app.js')
  const { createLogger } = await import('../dist/observability/logger.js')
  const { createMetrics } = await import('../dist/observability/metrics.js')
  const { registerOpsRoutes } = await import('../dist/http/ops-routes.js')
  const extension = await import('../dist/provisioning/extension.js')
  const store = await createStore(`sqlite:${file}`)
  const rules = { managedProjects: ['p1'], defaultProjects: ['p1'], defaultRole: 'MEMBER', allowOwner: false, deactivateAction: 'remove', adoptExisting: 'same-or-lower-role', mapping: null }
  // main.ts's wiring of the extension, whichever version of it this build has.
  const sinchExtension = extension.sinchExtensionOf !== undefined
    ? extension.sinchExtensionOf(rules)
    : extension.sinchExtensionReader(store, extension.grantReasons(store, rules))
  // BENCH_LOG_LEVEL=info measures the default level; the lines go to /dev/null (or BENCH_LOG_TO),
  // not to the pipe bench/scim reads READY from, whose reader on the load's core would pace them.
  const { pino } = await import('pino')
  const logTo = pino.destination({ dest: process.env.BENCH_LOG_TO ?? '/dev/null', sync: true })
  const app = await buildApp({ logger: createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent', logTo), scimBasePath: '/scim/v2', scimTokens: () => ['bench-token-0123456789abcdef'], directory: createDirectory(store), sinchExtension })
  await registerOpsRoutes(app, { metrics: createMetrics(), readiness: [] })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  process.stdout.write(`READY ${url} ${JSON.stringify(ids)}\n`)
  onRss()
  process.on('SIGTERM', async () => { await app.close(); await store.close(); rmSync(dir, { recursive: true, force: true }); process.exit(0) })
}

/**
 * N users in `file` through the same store code the app uses, on a handle without fsync; every
 * user is a known member of p1 (what Sinch holds after provisioning), so reads show the extension.
 * Prints the ids of every (N/100)th user.
 */
async function seed (N, file) {
  const { openSqliteDatabase } = await import('../dist/store/sqlite/database.js')
  const { createSqliteDirectory } = await import('../dist/store/sqlite/directory.js')
  const { createSqliteProvisioningStore } = await import('../dist/store/sqlite/provisioning.js')
  const seedDb = openSqliteDatabase(file)
  seedDb.pragma('synchronous = OFF')
  const seeder = createSqliteDirectory(seedDb)
  const known = createSqliteProvisioningStore(seedDb)
  const ids = []
  let members = []
  for (let i = 0; i < N; i++) {
    const email = `user${i}@bench.example`
    const u = await seeder.createUser({ userName: email, externalId: `ext-${i}`, displayName: `User ${i}`, active: true, emails: [{ value: email, type: 'work', primary: true }], resource: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, name: { givenName: 'User', familyName: String(i) }, emails: [{ value: email, type: 'work', primary: true }], active: true } })
    members.push({ projectId: 'p1', email, sinchUserId: `s-${i}`, role: 'MEMBER', status: 'ACTIVE', scimUserId: u.id, origin: 'invited', seenAt: new Date().toISOString() })
    if (members.length === 1000) { await known.upsertKnownMembers(members); members = [] }
    if (i % Math.max(1, Math.floor(N / 100)) === 0) ids.push(u.id)
  }
  await known.upsertKnownMembers(members)
  seedDb.prepare('DELETE FROM provision_queue').run()
  seedDb.close()
  process.stdout.write(JSON.stringify(ids))
}
