/** Socket-level failures: the server is down, restarting, or unreachable (Node's errno codes). */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])

/**
 * SQLSTATEs that say "the server cannot run queries now" rather than "this query is wrong"
 * (PostgreSQL manual, Appendix A): class 08 connection exception, class 53 insufficient resources
 * (too many connections, disk full, out of memory), 57P01 admin_shutdown (what
 * pg_terminate_backend and a fast shutdown send), 57P02 crash_shutdown, 57P03 cannot_connect_now
 * (starting up, in recovery), 57014 query_canceled (our statement_timeout), 55P03
 * lock_not_available, 25P03 idle_in_transaction_session_timeout.
 */
const STATES = new Set(['57P01', '57P02', '57P03', '57014', '55P03', '25P03'])
const STATE_CLASSES = ['08', '53']

/** What node-postgres itself says when a connection is gone or never came (pg 8, pg-pool 3). */
const MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
  /is not queryable$/
]

function one (err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false
  const { code, message } = err as { code?: unknown, message?: unknown }
  if (typeof code === 'string') {
    if (NETWORK.has(code) || STATES.has(code)) return true
    if (/^[0-9A-Z]{5}$/.test(code) && STATE_CLASSES.includes(code.slice(0, 2))) return true
  }
  return typeof message === 'string' && MESSAGES.some((m) => m.test(message))
}

/**
 * True for connection-class failures, which a retry later can cure; false for SQL errors (a
 * constraint, a syntax error, a bad value), which must not be hidden behind a 503. Looks into
 * `errors` (Node's AggregateError when every address of a host refused) and one `cause` deep.
 */
export function isPostgresUnavailable (err: unknown): boolean {
  if (one(err)) return true
  if (typeof err !== 'object' || err === null) return false
  const { errors, cause } = err as { errors?: unknown, cause?: unknown }
  if (Array.isArray(errors) && errors.some(one)) return true
  return one(cause)
}
