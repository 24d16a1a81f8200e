import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createListCases, type ListRequest } from '../../../src/directory/list.js'
import { createStore, type Store } from '../../../src/store/index.js'
import type { UserRecord } from '../../../src/domain/users.js'

/** The whole-directory reading the batched scan replaced: match all, stable sort, slice. */
function everything (all: UserRecord[], req: ListRequest): { total: number, ids: string[] } {
  const key = (u: UserRecord): string => req.sortBy === 'userName' ? u.userName.toLowerCase() : req.sortBy === 'displayName' ? (u.displayName ?? '').toLowerCase() : ''
  const matched = all.filter((u) => req.match?.({ ...u.resource, id: u.id, active: u.active }) === true)
  if (req.sortBy !== null) matched.sort((a, b) => key(a).localeCompare(key(b)) * (req.descending ? -1 : 1))
  return { total: matched.length, ids: (req.limit === 0 ? [] : matched.slice(req.offset, req.offset + req.limit)).map((u) => u.id) }
}

describe('listing users by a filter no index answers, a batch at a time', () => {
  let store: Store
  let all: UserRecord[]
  beforeAll(async () => {
    store = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'list-')), 'b.db')}`)
    // Display names repeat, so sorted pages have ties that must keep insertion order.
    for (let i = 0; i < 40; i++) await store.createUser({ userName: `u${(i * 7) % 40}@x.io`, externalId: null, displayName: `D${i % 5}`, active: i % 3 !== 0, emails: [], resource: { title: i % 2 === 0 ? 'even' : 'odd' } })
    all = await store.allUsers()
  })
  afterAll(async () => { await store.close() })

  const cases: Array<Partial<ListRequest>> = [
    {}, { offset: 3, limit: 4 }, { offset: 30, limit: 10 }, { limit: 0 },
    { sortBy: 'userName' }, { sortBy: 'userName', descending: true, offset: 2, limit: 5 },
    { sortBy: 'displayName', offset: 4, limit: 6 }, { sortBy: 'displayName', descending: true, offset: 0, limit: 7 }, { sortBy: 'displayName', limit: 0 }
  ]
  it.each(cases)('same page and total as reading everything: %o', async (over) => {
    const req: ListRequest = { where: null, match: (r) => r.title === 'even' && r.active === true, sortBy: null, descending: false, offset: 0, limit: 100, ...over }
    const got = await createListCases(store, 3).listUsers(req)
    expect({ total: got.total, ids: got.records.map((u) => u.id) }).toEqual(everything(all, req))
  })
})
