import { describe, expect, it } from 'vitest'
import { isPostgresUnavailable } from '../../../src/store/postgres/errors.js'
import { isSqliteUnavailable } from '../../../src/store/sqlite/errors.js'
import { guardUnavailable, StoreUnavailableError } from '../../../src/store/unavailable.js'

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code })

describe('which database errors mean "away, retry later"', () => {
  it('PostgreSQL: connection-class SQLSTATEs, socket errors and node-postgres\'s own messages', () => {
    for (const e of [withCode('57P01', 'terminating connection due to administrator command'), withCode('57P02'), withCode('57P03'), withCode('08006'), withCode('08001'),
      withCode('53300'), withCode('57014', 'canceling statement due to statement timeout'), withCode('55P03'), withCode('25P03'), withCode('ECONNREFUSED'), withCode('ECONNRESET'),
      new Error('Connection terminated unexpectedly'), new Error('Connection terminated due to connection timeout'), new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'), new Error('Client has encountered a connection error and is not queryable'),
      Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), { code: undefined }), new Error('wrapped', { cause: withCode('57P01') })]) {
      expect(isPostgresUnavailable(e), `${String((e as { code?: string }).code)} ${e.message}`).toBe(true)
    }
  })

  it('PostgreSQL: SQL errors stay what they are (a 409, a 400 or a 500, never a 503)', () => {
    for (const e of [withCode('23505', 'duplicate key'), withCode('42601', 'syntax error'), withCode('22021', 'invalid byte sequence'), withCode('54000', 'index row size'),
      withCode('40001'), withCode('42P01', 'relation does not exist'), new Error('Connection is fine'), null, 'text', 5]) {
      expect(isPostgresUnavailable(e), String(e)).toBe(false)
    }
  })

  it('SQLite: BUSY and LOCKED with their extended codes, nothing else', () => {
    for (const c of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE']) expect(isSqliteUnavailable(withCode(c)), c).toBe(true)
    for (const c of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_CORRUPT', 'SQLITE_READONLY']) expect(isSqliteUnavailable(withCode(c)), c).toBe(false)
  })

  it('guardUnavailable turns only recognised errors into StoreUnavailableError, sync or async, keeping the cause', async () => {
    const away = withCode('57P01')
    const sql = withCode('23505')
    const store = guardUnavailable({
      kind: 'x',
      away: async () => { throw away },
      sql: async () => { throw sql },
      syncAway: () => { throw away },
      fine: async (n: number) => n + 1
    }, isPostgresUnavailable)
    expect(store.kind).toBe('x')
    expect(await store.fine(1)).toBe(2)
    const e = await store.away().catch((err: unknown) => err)
    expect(e).toBeInstanceOf(StoreUnavailableError)
    expect((e as StoreUnavailableError).code).toBe('STORE_UNAVAILABLE')
    expect((e as StoreUnavailableError).cause).toBe(away)
    expect(await store.sql().catch((err: unknown) => err)).toBe(sql)
    expect(() => store.syncAway()).toThrow(StoreUnavailableError)
  })
})
