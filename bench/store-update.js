// bench/store-update: what one user update costs SQLite on the real schema with N users (1,000 and
// 100,000 by default): an UPDATE naming every column against one naming only the changed columns
// (what dist/store/sqlite now prepares), and the store's whole update for reference.
// Each batch is one transaction of 10 updates of name.givenName (the bench/scim PATCH), as the
// write batcher groups them. Prints WAL frames per batch (pages SQLite wrote; each is two pwrite
// calls) and µs per update, synchronous=OFF so the figures are the pages, not the disk. The store's
// figure adds its read of the row, a savepoint per update and building its answer.
//   npm run build && node bench/store-update.js [--users 1000,100000] [--batches 300]
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const { openSqliteDatabase } = await import('../dist/store/sqlite/database.js')
const { createSqliteDirectory } = await import('../dist/store/sqlite/directory.js')
const flag = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : fallback }
const sizes = flag('users', '1000,100000').split(',').map(Number)
const BATCHES = Number(flag('batches', 300))
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User'

const input = (i, given) => {
  const email = `user${i}@bench.example`
  return { userName: email, externalId: `ext-${i}`, displayName: `User ${i}`, active: true, emails: [{ value: email, type: 'work', primary: true }], resource: { schemas: [CORE], userName: email, name: { givenName: given, familyName: String(i) }, emails: [{ value: email, type: 'work', primary: true }], active: true } }
}

for (const N of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-update-'))
  const file = join(dir, 'u.db')
  const db = openSqliteDatabase(file)
  db.pragma('synchronous = OFF')
  db.pragma('wal_autocheckpoint = 0')
  const store = createSqliteDirectory(db)
  const ids = []
  // Seeded through the store's own create, a thousand to a transaction (the default write runs
  // each at once, so they join the open transaction as savepoints).
  for (let i = 0; i < N; i += 1000) {
    db.exec('BEGIN')
    for (let k = i; k < Math.min(N, i + 1000); k++) ids.push((await store.createUser(input(k, 'User'))).id)
    db.exec('COMMIT')
  }
  const everyColumn = db.prepare(`UPDATE users SET user_name = @userName, user_name_lc = @userNameLc, external_id = @externalId, display_name = @displayName,
    display_name_lc = @displayNameLc, active = @active, emails = @emails, resource = @resource, version = version + 1, last_modified = @now WHERE id = @id`)
  // The statement the store prepares for this change (only resource differs).
  const changedOnly = db.prepare('UPDATE users SET resource = @resource, version = version + 1, last_modified = @now WHERE id = @id')
  let n = 0
  const viaStore = (i) => { void store.updateUser(ids[i], input(i, `G${n++}`), null) }
  const bare = (statement) => (i) => {
    const u = input(i, `G${n++}`)
    statement.run({ id: ids[i], userName: u.userName, userNameLc: u.userName.toLowerCase(), externalId: u.externalId, displayName: u.displayName, displayNameLc: u.displayName.toLowerCase(), active: 1, emails: JSON.stringify(u.emails), resource: JSON.stringify(u.resource), now: new Date().toISOString() })
  }
  const measure = (update) => {
    db.pragma('wal_checkpoint(TRUNCATE)')
    const t = process.hrtime.bigint()
    for (let b = 0; b < BATCHES; b++) db.transaction(() => { for (let k = 0; k < 10; k++) update(Math.floor(Math.random() * N)) })()
    const us = Number(process.hrtime.bigint() - t) / 1e3 / BATCHES / 10
    const frames = (statSync(`${file}-wal`).size - 32) / (db.pragma('page_size', { simple: true }) + 24)
    return `${(frames / BATCHES).toFixed(1)} WAL frames per batch, ${us.toFixed(1)} µs per update`
  }
  measure(viaStore) // warm-up: the pages and the statements
  console.log(`bench/store-update at ${N} users, ${BATCHES} batches of 10 updates of name.givenName`)
  for (let round = 0; round < 2; round++) {
    console.log(`  UPDATE naming every column     ${measure(bare(everyColumn))}`)
    console.log(`  UPDATE naming changed columns  ${measure(bare(changedOnly))}`)
    console.log(`  the store's whole update       ${measure(viaStore)}`)
  }
  db.close()
  rmSync(dir, { recursive: true, force: true })
}
