// The SCIM app alone on a SQLite file seeded with N users, wired as main.ts wires it for reads
// (Sinch extension with grantedBy, the request metrics hook); run pinned to one core by bench/scim.js.
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
} else {
  const N = Number(process.argv[2] ?? 1000)
  const { openSqliteDatabase } = await import('../dist/store/sqlite/database.js')
  const { createSqliteDirectory } = await import('../dist/store/sqlite/directory.js')
  const { createSqliteProvisioningStore } = await import('../dist/store/sqlite/provisioning.js')
  const { createStore } = await import('../dist/store/index.js')
  const { createDirectory } = await import('../dist/directory/index.js')
  const { buildApp } = await import('../dist/app.js')
  const { createLogger } = await import('../dist/observability/logger.js')
  const { createMetrics } = await import('../dist/observability/metrics.js')
  const { registerOpsRoutes } = await import('../dist/http/ops-routes.js')
  const extension = await import('../dist/provisioning/extension.js')

  const dir = mkdtempSync(join(tmpdir(), 'bench-scim-'))
  const file = join(dir, 'b.db')
  // Seeding only: a second handle without fsync, through the same store code the app uses. Every
  // user is a known member of p1 (what Sinch holds after provisioning), so reads show the extension.
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
  // The seed was written without fsync: flush it to the disk now, or its write-back would run
  // during the measured writes and be billed to their fsyncs.
  spawnSync('sync')

  const store = await createStore(`sqlite:${file}`)
  const rules = { managedProjects: ['p1'], defaultProjects: ['p1'], defaultRole: 'MEMBER', allowOwner: false, deactivateAction: 'remove', adoptExisting: 'same-or-lower-role', mapping: null }
  // main.ts's wiring of the extension, whichever version of it this build has.
  const sinchExtension = extension.sinchExtensionOf !== undefined
    ? extension.sinchExtensionOf(rules)
    : extension.sinchExtensionReader(store, extension.grantReasons(store, rules))
  const app = await buildApp({ logger: createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent'), scimBasePath: '/scim/v2', scimTokens: () => ['bench-token-0123456789abcdef'], directory: createDirectory(store), sinchExtension })
  await registerOpsRoutes(app, { metrics: createMetrics(), readiness: [] })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  process.stdout.write(`READY ${url} ${JSON.stringify(ids)}\n`)
  onRss()
  process.on('SIGTERM', async () => { await app.close(); await store.close(); rmSync(dir, { recursive: true, force: true }); process.exit(0) })
}
