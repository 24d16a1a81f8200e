/**
 * The provisioning queue is written by directory transactions (same transaction as the desired
 * state, so an acknowledged change can never lose its work) and read by the provisioning engine.
 * Both sides use these statements so they agree on its shape. Table: migration 001.
 */
export const SQLITE_ENQUEUE = `
INSERT INTO provision_queue (user_id, generation, enqueued_at, due_at, attempts, last_error, claimed_by, claimed_until)
VALUES (@userId, 1, @now, @dueAt, 0, NULL, NULL, NULL)
ON CONFLICT (user_id) DO UPDATE SET
  generation = provision_queue.generation + 1,
  enqueued_at = excluded.enqueued_at,
  due_at = MIN(provision_queue.due_at, excluded.due_at),
  attempts = 0
`

export const PROVISION_QUEUE_DDL = `
CREATE TABLE provision_queue (
  user_id TEXT PRIMARY KEY,
  generation INTEGER NOT NULL,
  enqueued_at TEXT NOT NULL,
  due_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  claimed_by TEXT,
  claimed_until TEXT
);
CREATE INDEX provision_queue_due ON provision_queue (due_at);
`
