import type { Store } from '../store.js'
import { guardUnavailable } from '../unavailable.js'
import { createPostgresDirectory } from './directory.js'
import { isPostgresUnavailable } from './errors.js'
import { createPool, migratePostgres, type PgTimeouts } from './pool.js'
import { createPostgresProvisioningStore } from './provisioning.js'

export interface PostgresStoreOptions {
  schema?: string
  timeouts?: PgTimeouts
  onError?: (err: Error) => void
}

/** Defaults for callers that pass none (tests, CLI); the server passes its configured values. */
export const DEFAULT_PG_TIMEOUTS: Required<PgTimeouts> = { connectMs: 5_000, statementMs: 10_000 }

/**
 * PostgreSQL for several replicas on one database: migrated once under a lock, then pooled. A
 * dropped connection is reported through onError and replaced on the next query; a query that
 * meets a database that is away fails with StoreUnavailableError.
 */
export async function createPostgresStore (url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const timeouts = opts.timeouts ?? DEFAULT_PG_TIMEOUTS
  const onError = opts.onError ?? (() => {})
  // Migrations get a pool of their own without a statement timeout: waiting for another replica's
  // migration lock, or a long migration, must not fail start-up.
  const migrating = createPool(url, { schema: opts.schema, timeouts: { connectMs: timeouts.connectMs }, onError })
  try {
    await migratePostgres(migrating)
  } finally {
    await migrating.end()
  }
  const pool = createPool(url, { schema: opts.schema, timeouts, onError })
  return guardUnavailable<Store>({
    kind: 'postgres',
    ...createPostgresDirectory(pool),
    ...createPostgresProvisioningStore(pool),
    ping: async () => { await pool.query('SELECT 1') },
    close: async () => { await pool.end() }
  }, isPostgresUnavailable)
}
