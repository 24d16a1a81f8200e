import { afterAll, describe, expect, it } from 'vitest'
import { createPostgresStore } from '../../src/store/postgres/index.js'
import { StoreConflictError } from '../../src/store/directory-store.js'
import { freshSchema, PGTEST_URL } from '../support/pg.js'
import { storeContract } from './store-contract.js'
import { storeWritesContract } from './store-writes-contract.js'

const drops: Array<() => Promise<void>> = []
afterAll(async () => { for (const d of drops) await d() })

async function open (): Promise<{ store: Awaited<ReturnType<typeof createPostgresStore>>, schema: string }> {
  const s = await freshSchema()
  drops.push(s.drop)
  return { store: await createPostgresStore(PGTEST_URL, { schema: s.schema }), schema: s.schema }
}

storeContract('postgres', open)
storeWritesContract('postgres', open)

describe('postgres: several replicas on one database', () => {
  it('migrates once when replicas start together', async () => {
    const s = await freshSchema()
    drops.push(s.drop)
    const stores = await Promise.all([1, 2, 3].map(async () => await createPostgresStore(PGTEST_URL, { schema: s.schema })))
    await stores[0]?.createUser({ userName: 'a@x.io', externalId: null, displayName: null, active: true, emails: [], resource: {} })
    expect((await stores[2]?.counts())?.users).toBe(1)
    for (const st of stores) await st.close()
  })

  it('holds userName uniqueness in the database: the same user created through two pools at once → one wins', async () => {
    const { store: a, schema } = await open()
    const b = await createPostgresStore(PGTEST_URL, { schema })
    const results = await Promise.allSettled(Array.from({ length: 10 }, async (_, i) =>
      await (i % 2 === 0 ? a : b).createUser({ userName: 'Same@X.io', externalId: null, displayName: null, active: true, emails: [], resource: {} })))
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1)
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof StoreConflictError)).toBe(true)
    await a.close()
    await b.close()
  })

  it('never hands the same queued user to two replicas claiming at once', async () => {
    const { store: a, schema } = await open()
    const b = await createPostgresStore(PGTEST_URL, { schema })
    for (let i = 0; i < 60; i++) await a.createUser({ userName: `q${i}@x.io`, externalId: null, displayName: null, active: true, emails: [], resource: {} })
    const soon = new Date(Date.now() + 1000).toISOString()
    const claims = await Promise.all(Array.from({ length: 6 }, async (_, i) => await (i % 2 === 0 ? a : b).claimDue(soon, 15, `owner-${i}`, 60_000)))
    const ids = claims.flat().map((e) => e.userId)
    expect(ids.length).toBe(60)
    expect(new Set(ids).size).toBe(60)
    await a.close()
    await b.close()
  })
})
