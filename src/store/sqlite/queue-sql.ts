/**
 * The provisioning queue is written by directory transactions (same transaction as the desired
 * state, so an acknowledged change can never lose its work) and read by the provisioning engine.
 * Both sides use this statement so they agree on its shape. Table: migration 001.
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
