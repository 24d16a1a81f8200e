import type { Store } from './store.js'
import { openSqliteDatabase } from './sqlite/database.js'
import { createSqliteDirectory } from './sqlite/directory.js'
import { isSqliteUnavailable } from './sqlite/errors.js'
import { createSqliteProvisioningStore } from './sqlite/provisioning.js'
import { createWriteBatcher } from './sqlite/batch.js'
import { guardLimits } from './limits.js'
import { guardUnavailable } from './unavailable.js'

export { StoreUnavailableError } from './unavailable.js'
export { StoreValueTooLongError } from './limits.js'

export type { Store } from './store.js'

export interface StoreOptions {
  /** PostgreSQL: a connection (new, or free in the pool). SQLite: the write lock (busy_timeout). */
  connectTimeoutMs?: number
  /** PostgreSQL: one statement (statement_timeout). */
  statementTimeoutMs?: number
  /** A PostgreSQL connection that broke (restart, failover, terminated backend); the pool replaces it. */
  onConnectionError?: (err: Error) => void
}

export class StoreConfigError extends Error {
  readonly code = 'STORE_CONFIG_INVALID'
}

/** `sqlite:<path>` or `postgres://…`; migrations run before the store is handed out. */
export async function createStore (databaseUrl: string, opts: StoreOptions = {}): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = openSqliteDatabase(databaseUrl.slice('sqlite:'.length), opts.connectTimeoutMs === undefined ? {} : { busyTimeoutMs: opts.connectTimeoutMs })
    const write = createWriteBatcher(db)
    const ping = db.prepare('SELECT 1')
    return guardLimits(guardUnavailable<Store>({
      kind: 'sqlite',
      ...createSqliteDirectory(db, write),
      ...createSqliteProvisioningStore(db, write),
      ping: async () => { ping.get() },
      close: async () => {
        // Let a group commit already scheduled for this turn finish before the handle goes.
        await new Promise((resolve) => setImmediate(resolve))
        if (db.open) db.close()
      }
    }, isSqliteUnavailable))
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { createPostgresStore, DEFAULT_PG_TIMEOUTS } = await import('./postgres/index.js')
    return guardLimits(await createPostgresStore(databaseUrl, {
      timeouts: { connectMs: opts.connectTimeoutMs ?? DEFAULT_PG_TIMEOUTS.connectMs, statementMs: opts.statementTimeoutMs ?? DEFAULT_PG_TIMEOUTS.statementMs },
      ...(opts.onConnectionError === undefined ? {} : { onError: opts.onConnectionError })
    }))
  }
  throw new StoreConfigError('DATABASE_URL must be sqlite:<path> or postgres://…')
}
