import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.js'
import { CORE_GROUP as G, CORE_USER as U, PATCH_OP as PATCH } from '../support/urns.js'
import { sinchExtensionOf } from '../../src/provisioning/extension.js'
import { KEEP_DELAY_MS } from '../../src/store/sqlite/document-keeper.js'

/** A small seeded generator: the same run every time. */
function random (seed: number): () => number {
  let s = seed
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 }
}
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/**
 * Random writes of every kind a user's document is rendered from, each followed by reads that must
 * answer exactly as the view does (a read with excludedAttributes takes the view's path), whether
 * the document was kept before the write, is being kept while it lands, or not kept yet.
 */
describe('kept user documents never differ from the view, under random writes', () => {
  let t: TestApp
  const users: string[] = []
  const groups: string[] = []
  let served = 0
  beforeAll(async () => {
    const rules = { managedProjects: ['p1', 'p2'], defaultProjects: ['p1'], defaultRole: 'MEMBER' as const, allowOwner: false, deactivateAction: 'remove' as const, adoptExisting: 'same-or-lower-role' as const, mapping: null }
    t = await buildTestApp({ sinchExtension: sinchExtensionOf(rules) })
    const read = t.store.userDocument
    if (read === undefined) throw new Error('the SQLite store keeps documents')
    t.store.userDocument = async (...args) => {
      const r = await read(...args)
      if (r !== null && 'body' in r) served++
      return r
    }
    for (let i = 0; i < 4; i++) users.push((await t.request('POST', '/scim/v2/Users', { body: { schemas: [U], userName: `u${i}@x.io`, emails: [{ value: `u${i}@x.io`, type: 'work' }] } })).body.id)
    for (let i = 0; i < 2; i++) groups.push((await t.request('POST', '/scim/v2/Groups', { body: { schemas: [G], displayName: `g${i}`, members: [{ value: users[i] }] } })).body.id)
  })
  afterAll(async () => { await t.close() })

  it('answers 120 rounds of random writes exactly as the view would', async () => {
    const r = random(42)
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T
    const now = (): string => new Date().toISOString()
    const writes: Array<() => Promise<unknown>> = [
      async () => await t.request('PATCH', `/scim/v2/Users/${pick(users)}`, { body: { schemas: [PATCH], Operations: [{ op: 'replace', path: pick(['title', 'displayName', 'name.givenName']), value: `v${Math.floor(r() * 1000)}` }] } }),
      async () => await t.request('PATCH', `/scim/v2/Users/${pick(users)}`, { body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: r() < 0.5 }] } }),
      async () => await t.request('PATCH', `/scim/v2/Groups/${pick(groups)}`, { body: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: pick(users) }] }] } }),
      async () => await t.request('PATCH', `/scim/v2/Groups/${pick(groups)}`, { body: { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${pick(users)}"]` }] } }),
      async () => await t.request('PATCH', `/scim/v2/Groups/${pick(groups)}`, { body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: `g-${Math.floor(r() * 1e6)}` }] } }),
      async () => { const i = users.indexOf(pick(users)); await t.store.upsertKnownMember({ projectId: pick(['p1', 'p2']), email: `u${i}@x.io`, sinchUserId: `s${i}`, role: pick(['MEMBER', 'ADMIN'] as const), status: pick(['PENDING', 'ACTIVE'] as const), scimUserId: users[i] as string, origin: 'invited', seenAt: now() }) },
      async () => { await t.store.deleteKnownMember(pick(['p1', 'p2']), `u${users.indexOf(pick(users))}@x.io`) },
      async () => { await t.store.setOpState({ userId: pick(users), projectId: pick(['p1', 'p2']), state: pick(['pending', 'failed', 'done'] as const), lastError: r() < 0.5 ? null : `refused ${Math.floor(r() * 100)}`, attempts: 1, updatedAt: now() }) }
    ]
    for (let round = 0; round < 120; round++) {
      // Sometimes the documents of the reads before are kept before the write lands, sometimes not.
      if (r() < 0.5) await sleep(KEEP_DELAY_MS + 10)
      await pick(writes)()
      if (r() < 0.3) await sleep(KEEP_DELAY_MS + 10)
      for (const id of users) {
        const kept = await t.request('GET', `/scim/v2/Users/${id}`)
        const view = await t.request('GET', `/scim/v2/Users/${id}?excludedAttributes=password`)
        expect({ round, body: kept.body, etag: kept.headers.get('etag') }).toEqual({ round, body: view.body, etag: view.headers.get('etag') })
      }
      const list = await t.request('GET', '/scim/v2/Users?sortBy=userName')
      const listView = await t.request('GET', '/scim/v2/Users?sortBy=userName&excludedAttributes=password')
      expect({ round, list: list.body }).toEqual({ round, list: listView.body })
    }
    // The comparison meant something: most reads were served from kept documents.
    expect(served).toBeGreaterThan(120)
  })
})
