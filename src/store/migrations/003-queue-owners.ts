import type { Migration } from './types.js'

/**
 * One row per live process that claims queue work, renewed by its heartbeat. A claim whose owner's
 * row has expired is dead at once, whatever its own lease says: a process restarted after a crash
 * takes the work over within seconds instead of waiting out the lease. A claim whose owner has no
 * row (a process older than this migration, during a rolling upgrade) still lasts its lease.
 */
const sql = `
CREATE TABLE queue_owners (
  owner TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX provision_queue_claimed_by ON provision_queue (claimed_by);
`

export const m003QueueOwners: Migration = { id: 3, name: 'queue-owners', sqlite: sql, postgres: sql }
