import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const PGTEST_URL = process.env.PGTEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A fresh schema on the test database; drop() removes it and everything in it. */
export async function freshSchema (): Promise<{ schema: string, drop: () => Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: PGTEST_URL })
  await client.connect()
  await client.query(`CREATE SCHEMA ${schema}`)
  await client.end()
  return {
    schema,
    async drop () {
      const c = new pg.Client({ connectionString: PGTEST_URL })
      await c.connect()
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await c.end()
    }
  }
}

/** A DATABASE_URL for a bridge process that works inside `schema` of the test database. */
export const schemaUrl = (schema: string): string => `${PGTEST_URL}?options=-c%20search_path%3D${schema}`
