import type { Store } from './store.js'
import { openSqliteDatabase } from './sqlite/database.js'
import { createSqliteDirectory } from './sqlite/directory.js'
import { createSqliteProvisioningStore } from './sqlite/provisioning.js'
import { createWriteBatcher } from './sqlite/batch.js'

export type { Store } from './store.js'

export class StoreConfigError extends Error {
  readonly code = 'STORE_UNAVAILABLE'
}

/** `sqlite:<path>` or `postgres://…`; migrations run before the store is handed out. */
export async function createStore (databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = openSqliteDatabase(databaseUrl.slice('sqlite:'.length))
    const write = createWriteBatcher(db)
    return {
      kind: 'sqlite',
      ...createSqliteDirectory(db, write),
      ...createSqliteProvisioningStore(db, write),
      ping: async () => { db.prepare('SELECT 1').get() },
      close: async () => {
        // Let a group commit already scheduled for this turn finish before the handle goes.
        await new Promise((resolve) => setImmediate(resolve))
        if (db.open) db.close()
      }
    }
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { createPostgresStore } = await import('./postgres/index.js')
    return await createPostgresStore(databaseUrl)
  }
  throw new StoreConfigError('DATABASE_URL must be sqlite:<path> or postgres://…')
}
