import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../../src/store/migrations/index.js'

const digest = (sql: string): string => createHash('sha256').update(sql).digest('hex').slice(0, 16)

/**
 * A database migrated by a shipped release has run exactly this text; a change to it (or to live
 * code it once derived from) would leave old and new databases with different schemas under one
 * migration number. A new schema change is a new migration, with its digest added here.
 */
const SHIPPED: Record<number, { sqlite: string, postgres: string }> = {
  1: { sqlite: 'c0321c51a15f8506', postgres: '69166aa0b84ab402' },
  2: { sqlite: '42e5a8242d28e909', postgres: 'fa736553353e9a68' },
  3: { sqlite: '1694cdee9117c0a1', postgres: '1694cdee9117c0a1' },
  4: { sqlite: '57e2679eca7fce53', postgres: '17db4fd369edb924' }
}

describe('migrations are frozen text per engine', () => {
  it.each(Object.entries(SHIPPED))('migration %s is unchanged on both engines', (id, expected) => {
    const m = MIGRATIONS.find((x) => x.id === Number(id))
    expect(m === undefined ? null : { sqlite: digest(m.sqlite), postgres: digest(m.postgres) }).toEqual(expected)
  })

  it('are numbered 1, 2, 3… in order', () => {
    expect(MIGRATIONS.map((m) => m.id)).toEqual(MIGRATIONS.map((_, i) => i + 1))
  })
})
