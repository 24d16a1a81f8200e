import pg from 'pg'
import { MIGRATIONS } from '../migrations/index.js'

export type Pool = pg.Pool
export type Client = pg.PoolClient

/** Any number > 0 that no other application on the database uses for an advisory lock. */
const MIGRATION_LOCK = 7_165_221_004

export function createPool (url: string, schema?: string): pg.Pool {
  // The schema option puts every table in one schema (tests get a fresh one per file).
  return new pg.Pool({ connectionString: url, max: 10, ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }) })
}

export async function inTransaction<T> (pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect()
  try {
    await c.query('BEGIN')
    const out = await fn(c)
    await c.query('COMMIT')
    return out
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    c.release()
  }
}

/** Numbered migrations under an advisory lock: replicas starting together migrate once. */
export async function migratePostgres (pool: pg.Pool): Promise<number[]> {
  const c = await pool.connect()
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)')
    const applied = new Set((await c.query<{ id: number }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id))
    const ran: number[] = []
    for (const m of MIGRATIONS) {
      if (applied.has(m.id)) continue
      await c.query('BEGIN')
      try {
        await c.query(m.postgres)
        await c.query('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [m.id, m.name, new Date().toISOString()])
        await c.query('COMMIT')
      } catch (err) {
        await c.query('ROLLBACK')
        throw err
      }
      ran.push(m.id)
    }
    return ran
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {})
    c.release()
  }
}

export function isUniqueViolation (err: unknown): boolean {
  return (err as { code?: string }).code === '23505'
}

export const PG_ENQUEUE = `
INSERT INTO provision_queue (user_id, generation, enqueued_at, due_at, attempts, last_error, claimed_by, claimed_until)
SELECT id, 1, $2, $2, 0, NULL, NULL, NULL FROM unnest($1::text[]) AS id
ON CONFLICT (user_id) DO UPDATE SET
  generation = provision_queue.generation + 1,
  enqueued_at = EXCLUDED.enqueued_at,
  due_at = LEAST(provision_queue.due_at, EXCLUDED.due_at),
  attempts = 0`
