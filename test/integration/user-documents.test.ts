import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.js'
import { sinchExtensionOf } from '../../src/provisioning/extension.js'
import { KEEP_DELAY_MS } from '../../src/store/sqlite/document-keeper.js'

import { CORE_GROUP as G, CORE_USER as U, LIST_RESPONSE, PATCH_OP as PATCH } from '../support/urns.js'

// Text that looks like the parts of a document a kept one is spliced at: quotes, escapes, control characters.
const TRICKY = 'a "location":"/Users/x" \\u0001 \u0001 \u001f \\ end'

/** Kept documents (SQLite) against the view they were rendered from, over real HTTP. */
describe('user reads served from kept documents', () => {
  let t: TestApp
  let id = ''
  let groupId = ''
  /** What each read through the store's userDocument gave: a document, or the view. */
  const served: string[] = []
  const at = (host: string) => ({ 'x-forwarded-proto': 'https', 'x-forwarded-host': host })
  beforeAll(async () => {
    const rules = { managedProjects: ['p1'], defaultProjects: ['p1'], defaultRole: 'MEMBER' as const, allowOwner: false, deactivateAction: 'remove' as const, adoptExisting: 'same-or-lower-role' as const, mapping: null }
    t = await buildTestApp({ trustProxy: true, sinchExtension: sinchExtensionOf(rules) })
    const read = t.store.userDocument
    if (read === undefined) throw new Error('the SQLite store keeps documents')
    t.store.userDocument = async (...args) => {
      const r = await read(...args)
      served.push(r === null ? 'none' : 'body' in r ? 'document' : 'view')
      return r
    }
    const u = await t.request('POST', '/scim/v2/Users', { body: { schemas: [U], userName: 'zoe@x.io', displayName: TRICKY, name: { givenName: TRICKY }, emails: [{ value: 'zoe@x.io', type: 'work' }] } })
    expect(u.status).toBe(201)
    id = u.body.id
    const g = await t.request('POST', '/scim/v2/Groups', { body: { schemas: [G], displayName: 'Sales "EMEA" \u0001', members: [{ value: id }] } })
    expect(g.status).toBe(201)
    groupId = g.body.id
  })
  afterAll(async () => { await t.close() })

  it('gives each request its own base URL, in meta.location and in every group $ref, from one kept document', async () => {
    await t.request('GET', `/scim/v2/Users/${id}`)
    await new Promise((resolve) => setTimeout(resolve, KEEP_DELAY_MS + 20))
    const a = await t.request('GET', `/scim/v2/Users/${id}`, { headers: at('a.example.com') })
    const b = await t.request('GET', `/scim/v2/Users/${id}`, { headers: at('b.example.com:8443') })
    expect(a.body.meta.location).toBe(`https://a.example.com/scim/v2/Users/${id}`)
    expect(b.body.meta.location).toBe(`https://b.example.com:8443/scim/v2/Users/${id}`)
    expect(a.body.groups).toEqual([{ value: groupId, display: 'Sales "EMEA" \u0001', $ref: `https://a.example.com/scim/v2/Groups/${groupId}`, type: 'direct' }])
    expect(b.body.groups[0].$ref).toBe(`https://b.example.com:8443/scim/v2/Groups/${groupId}`)
    expect(a.body.displayName).toBe(TRICKY)
    expect(a.body.name.givenName).toBe(TRICKY)
    expect(served.slice(-2)).toEqual(['document', 'document'])
    expect(b.text.replaceAll('b.example.com:8443', 'a.example.com')).toBe(a.text)
  })

  it('answers exactly as the view does, for a read and for a list', async () => {
    const kept = await t.request('GET', `/scim/v2/Users/${id}`, { headers: at('a.example.com') })
    // excludedAttributes takes the view's path (password is never sent, so nothing differs).
    const view = await t.request('GET', `/scim/v2/Users/${id}?excludedAttributes=password`, { headers: at('a.example.com') })
    expect(kept.body).toEqual(view.body)
    expect(kept.headers.get('etag')).toBe(view.headers.get('etag'))
    const filter = encodeURIComponent('userName eq "zoe@x.io"')
    const list = await t.request('GET', `/scim/v2/Users?filter=${filter}`, { headers: at('a.example.com') })
    const listView = await t.request('GET', `/scim/v2/Users?filter=${filter}&excludedAttributes=password`, { headers: at('a.example.com') })
    expect(list.headers.get('content-type')).toMatch(/^application\/scim\+json/)
    expect(list.body).toEqual(listView.body)
    expect(list.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1, Resources: [kept.body] })
    const empty = await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "nobody@x.io"')}`)
    expect(empty.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] })
  })

  it('shows a write at once: the user, its group\'s new name, a membership gone; a delete is a 404', async () => {
    const before = await t.request('GET', `/scim/v2/Users/${id}`)
    expect((await t.request('PATCH', `/scim/v2/Users/${id}`, { body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'CFO' }] } })).status).toBe(200)
    const patched = await t.request('GET', `/scim/v2/Users/${id}`)
    expect(patched.body.title).toBe('CFO')
    expect(patched.headers.get('etag')).not.toBe(before.headers.get('etag'))
    expect((await t.request('PATCH', `/scim/v2/Groups/${groupId}`, { body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Finance' }] } })).status).toBeLessThan(300)
    expect((await t.request('GET', `/scim/v2/Users/${id}`)).body.groups[0].display).toBe('Finance')
    expect((await t.request('PATCH', `/scim/v2/Groups/${groupId}`, { body: { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] } })).status).toBeLessThan(300)
    expect((await t.request('GET', `/scim/v2/Users/${id}`)).body.groups).toBeUndefined()
    expect((await t.request('DELETE', `/scim/v2/Users/${id}`)).status).toBe(204)
    expect((await t.request('GET', `/scim/v2/Users/${id}`)).status).toBe(404)
    expect((await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "zoe@x.io"')}`)).body.totalResults).toBe(0)
  })
})
