import type { Store } from './store.js'
import { openSqlite } from './sqlite/database.js'
import { createSqliteDirectory } from './sqlite/directory.js'
import { isSqliteUnavailable } from './sqlite/errors.js'
import { createSqliteProvisioningStore } from './sqlite/provisioning.js'
import { createDurableWrites, type DurableSync } from './sqlite/batch.js'
import { createWalSync } from './sqlite/wal-sync.js'
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
    return createSqliteStore(databaseUrl.slice('sqlite:'.length), opts.connectTimeoutMs === undefined ? {} : { busyTimeoutMs: opts.connectTimeoutMs })
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

/**
 * The SQLite store. Commits are made durable by an fdatasync of the WAL on libuv's threadpool
 * (see createDurableWrites), not by SQLite on the event loop; `sync` replaces that fdatasync
 * (tests observe or fail it). After a failed sync the store is unavailable: writes and ping
 * throw StoreUnavailableError, so /readyz reports it and the IdP gets 503s until a restart.
 */
export function createSqliteStore (file: string, opts: { busyTimeoutMs?: number, sync?: DurableSync } = {}): Store {
  const { db, durability } = openSqlite(file, { ...(opts.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: opts.busyTimeoutMs }), durability: 'wal-datasync' })
  const wal = durability === 'wal-datasync' && opts.sync === undefined ? createWalSync(file) : null
  const sync = durability === 'wal-datasync' ? opts.sync ?? wal?.sync : undefined
  const writes = createDurableWrites(db, sync === undefined ? {} : { sync })
  const write = writes.write
  const selectOne = db.prepare('SELECT 1')
  return guardLimits(guardUnavailable<Store>({
    kind: 'sqlite',
    ...createSqliteDirectory(db, write, () => writes.failure() === null),
    ...createSqliteProvisioningStore(db, write),
    ping: async () => {
      const failed = writes.failure()
      if (failed !== null) throw failed
      selectOne.get()
    },
    fatal: () => (writes.failure() === null ? null : 'the disk refused to make a commit durable; a restart recovers from what is on it'),
    close: async () => {
      // Let the writes already issued commit and become durable before the handles go.
      await writes.drain()
      await wal?.close()
      if (db.open) db.close()
    }
  }, isSqliteUnavailable))
}
