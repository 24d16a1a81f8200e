/**
 * The database did not take or finish a query for reasons outside the query itself: the
 * connection was refused, dropped (a restart, a failover, `pg_terminate_backend`), timed out, or
 * the file stayed locked past the wait. The request may simply be repeated later, so the HTTP
 * edge answers 503 with Retry-After (RFC 7644 §3.12, RFC 9110 §15.6.4), never 500.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE'
  constructor (options: { cause: unknown }) {
    super('the database is not answering', options)
  }
}

type Fn = (...args: unknown[]) => unknown

/**
 * Returns `store` with every method wrapped so that an error `isUnavailable` recognises is thrown
 * as a StoreUnavailableError (the original kept as `cause`); every other error (a taken userName,
 * a real SQL error) passes through unchanged. One place for both engines, so no query site can
 * forget it.
 */
export function guardUnavailable<T extends object> (store: T, isUnavailable: (err: unknown) => boolean): T {
  const translate = (err: unknown): never => {
    if (!(err instanceof StoreUnavailableError) && isUnavailable(err)) throw new StoreUnavailableError({ cause: err })
    throw err
  }
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(store)) {
    if (typeof value !== 'function') { out[key] = value; continue }
    const fn = value as Fn
    out[key] = (...args: unknown[]): unknown => {
      let result: unknown
      try {
        result = fn.apply(store, args)
      } catch (err) {
        return translate(err)
      }
      return result instanceof Promise ? result.catch(translate) : result
    }
  }
  return out as T
}
