import type { Store } from '../store.js'
import { createPostgresDirectory } from './directory.js'
import { createPool, migratePostgres } from './pool.js'
import { createPostgresProvisioningStore } from './provisioning.js'

/** PostgreSQL for several replicas on one database: migrated once under a lock, then pooled. */
export async function createPostgresStore (url: string, opts: { schema?: string } = {}): Promise<Store> {
  const pool = createPool(url, opts.schema)
  try {
    await migratePostgres(pool)
  } catch (err) {
    await pool.end()
    throw err
  }
  return {
    kind: 'postgres',
    ...createPostgresDirectory(pool),
    ...createPostgresProvisioningStore(pool),
    ping: async () => { await pool.query('SELECT 1') },
    close: async () => { await pool.end() }
  }
}
