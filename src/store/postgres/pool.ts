import pg from 'pg'
import { MIGRATIONS } from '../migrations/index.js'
import { isPostgresUnavailable } from './errors.js'

export type Pool = pg.Pool
export type Client = pg.PoolClient

/** Any number > 0 that no other application on the database uses for an advisory lock. */
const MIGRATION_LOCK = 7_165_221_004

/** How long the bridge waits for PostgreSQL; absent, it waits as long as the server takes (migrations). */
export interface PgTimeouts {
  /** A connection: a new one (TCP + startup), or a free one of the pool. */
  connectMs: number
  /** One statement, on the server (statement_timeout); a little more on the client, for a server that never answers. */
  statementMs?: number
}

export interface PoolOptions {
  schema?: string | undefined
  timeouts: PgTimeouts
  /** Where dropped connections are reported; they never reach the process as an unhandled 'error'. */
  onError: (err: Error) => void
}

/** Slack over statement_timeout before the client gives up: the server's own cancel comes first when it can. */
const CLIENT_SLACK_MS = 2_000
/** A session idle inside a transaction (a frozen replica) must not hold its row locks for long. */
const IDLE_IN_TRANSACTION_MS = 60_000

export function createPool (url: string, o: PoolOptions): pg.Pool {
  const statementMs = o.timeouts.statementMs
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: o.timeouts.connectMs,
    idleTimeoutMillis: 30_000,
    // TCP keep-alive finds a peer that vanished without a FIN (failover, a NAT or proxy idle timeout).
    keepAlive: true,
    ...(statementMs === undefined
      ? {}
      : { statement_timeout: statementMs, query_timeout: statementMs + CLIENT_SLACK_MS, idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS }),
    // The schema option puts every table in one schema (tests get a fresh one per file).
    ...(o.schema === undefined ? {} : { options: `-c search_path=${o.schema}` })
  })
  // node-postgres emits 'error' on the pool for an idle client whose backend went away, and on a
  // checked-out client between queries; an EventEmitter 'error' with no listener ends the process
  // (https://node-postgres.com/apis/pool#error). The pool drops such a client and opens a new one
  // on the next query, so reporting it is all there is to do.
  pool.on('error', (err) => { o.onError(err) })
  pool.on('connect', (client) => { client.on('error', (err) => { o.onError(err) }) })
  return pool
}

export async function inTransaction<T> (pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect()
  let broken: Error | undefined
  try {
    await c.query('BEGIN')
    const out = await fn(c)
    await c.query('COMMIT')
    return out
  } catch (err) {
    // A connection that failed or timed out is dropped, not rolled back: PostgreSQL rolls back a
    // transaction whose session ends, and a ROLLBACK sent to a server that does not answer would
    // only wait out a second timeout.
    if (isPostgresUnavailable(err)) broken = err as Error
    else await c.query('ROLLBACK').catch((e: Error) => { broken = e })
    throw err
  } finally {
    // release(err) discards the client, so the pool never hands out a connection that is dead,
    // still busy with a timed-out query, or still inside a transaction.
    c.release(broken)
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
        await c.query('ROLLBACK').catch(() => {})
        throw err
      }
      ran.push(m.id)
    }
    return ran
  } finally {
    // A session whose unlock failed may still hold the lock: discard it rather than pool it.
    const unlocked = await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).then(() => undefined, (e: Error) => e)
    c.release(unlocked)
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
