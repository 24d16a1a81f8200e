import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.js'

const U = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

describe('SCIM protocol details over real HTTP', () => {
  let t: TestApp
  let id = ''
  beforeAll(async () => {
    t = await buildTestApp()
    for (const n of ['zoe', 'adam', 'mia']) {
      const r = await t.request('POST', '/scim/v2/Users', { body: { schemas: [U], userName: `${n}@x.io`, displayName: n, emails: [{ value: `${n}@x.io`, type: 'work' }] } })
      expect(r.status).toBe(201)
      if (n === 'zoe') id = r.body.id
    }
  })
  afterAll(async () => { await t.close() })

  it('answers 201 with Location equal to meta.location and an ETag', async () => {
    const r = await t.request('POST', '/scim/v2/Users', { body: { schemas: [U], userName: 'loc@x.io' } })
    expect(r.headers.get('location')).toBe(r.body.meta.location)
    expect(r.body.meta.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2\/Users\//)
    expect(r.headers.get('etag')).toBe('W/"1"')
  })

  it('honours X-Forwarded-Proto/-Host only when the proxy is trusted', async () => {
    const untrusted = await t.request('GET', `/scim/v2/Users/${id}`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'bridge.example.com' } })
    expect(untrusted.body.meta.location).toMatch(/^http:\/\/127\.0\.0\.1/)
    const trusted = await buildTestApp({ trustProxy: true })
    try {
      const c = await trusted.request('POST', '/scim/v2/Users', { body: { schemas: [U], userName: 'p@x.io' }, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'bridge.example.com' } })
      expect(c.body.meta.location).toBe(`https://bridge.example.com/scim/v2/Users/${String(c.body.id)}`)
    } finally {
      await trusted.close()
    }
  })

  it('If-None-Match gives 304; If-Match mismatch gives 412 and changes nothing', async () => {
    const get = await t.request('GET', `/scim/v2/Users/${id}`)
    const tag = get.headers.get('etag') ?? ''
    expect((await t.request('GET', `/scim/v2/Users/${id}`, { headers: { 'if-none-match': tag } })).status).toBe(304)
    const stale = await t.request('PATCH', `/scim/v2/Users/${id}`, { headers: { 'if-match': 'W/"999"' }, body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'nope' }] } })
    expect(stale.status).toBe(412)
    expect((await t.request('GET', `/scim/v2/Users/${id}`)).body.displayName).toBe('zoe')
    const ok = await t.request('PATCH', `/scim/v2/Users/${id}`, { headers: { 'if-match': tag }, body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Zoe' }] } })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('etag')).not.toBe(tag)
  })

  it('PATCH is atomic: a bad second op leaves the first unapplied', async () => {
    const r = await t.request('PATCH', `/scim/v2/Users/${id}`, { body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Half' }, { op: 'replace', path: 'id', value: 'x' }] } })
    expect(r.status).toBe(400)
    expect(r.body.scimType).toBe('mutability')
    expect((await t.request('GET', `/scim/v2/Users/${id}`)).body.displayName).toBe('Zoe')
    const badPath = await t.request('PATCH', `/scim/v2/Users/${id}`, { body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'nope', value: 1 }] } })
    expect(badPath.body.scimType).toBe('invalidPath')
  })

  it('sorts, pages, counts and projects', async () => {
    const sorted = await t.request('GET', '/scim/v2/Users?sortBy=userName&sortOrder=descending&count=2')
    expect(sorted.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['zoe@x.io', 'mia@x.io'])
    const zero = await t.request('GET', '/scim/v2/Users?count=0')
    expect(zero.body.totalResults).toBeGreaterThanOrEqual(4)
    // RFC 7644 §3.4.2: Resources is REQUIRED when totalResults is non-zero, even for count=0.
    expect(zero.body).toMatchObject({ itemsPerPage: 0, Resources: [] })
    const none = await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "nobody@x.io"')}`)
    expect(none.body).toMatchObject({ totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] })
    const capped = await t.request('GET', '/scim/v2/Users?count=100000')
    expect(capped.status).toBe(200)
    const only = await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "adam@x.io"')}&attributes=userName`)
    expect(Object.keys(only.body.Resources[0]).sort()).toEqual(['id', 'meta', 'schemas', 'userName'])
    const excluded = await t.request('GET', `/scim/v2/Users/${id}?excludedAttributes=emails`)
    expect(excluded.body.emails).toBeUndefined()
    expect(excluded.body.userName).toBe('zoe@x.io')
    expect((await t.request('GET', '/scim/v2/Users?sortBy=nickName')).status).toBe(400)
  })

  it('supports every filter operator, logic and value paths, case-insensitively where RFC 7643 says so', async () => {
    const q = async (f: string): Promise<string[]> => (await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent(f)}`)).body.Resources.map((r: { userName: string }) => r.userName).sort()
    expect(await q('userName sw "ZO"')).toEqual(['zoe@x.io'])
    expect(await q('userName co "DA" or userName ew "IA@X.IO"')).toEqual(['adam@x.io', 'mia@x.io'])
    expect(await q('not (userName ne "mia@x.io")')).toEqual(['mia@x.io'])
    expect(await q('emails[type eq "work" and value co "ada"]')).toEqual(['adam@x.io'])
    expect(await q('displayName pr and (userName eq "adam@x.io" or userName eq "mia@x.io")')).toEqual(['adam@x.io', 'mia@x.io'])
    expect(await q('meta.lastModified gt "2000-01-01T00:00:00Z" and userName eq "zoe@x.io"')).toEqual(['zoe@x.io'])
    expect(await q('name.givenName pr')).toEqual([])
    const search = await t.request('POST', '/scim/v2/Users/.search', { body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq "mia@x.io"', startIndex: 1, count: 10 } })
    expect(search.body.totalResults).toBe(1)
    const root = await t.request('POST', '/scim/v2/.search', { body: { filter: 'userName eq "mia@x.io"' } })
    expect(root.body.Resources[0].userName).toBe('mia@x.io')
  })

  it('evaluates pr and not on multi-valued attributes, and a user\'s groups, when no index answers', async () => {
    const G = 'urn:ietf:params:scim:schemas:core:2.0:Group'
    const adam = (await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "adam@x.io"')}`)).body.Resources[0].id as string
    const team = await t.request('POST', '/scim/v2/Groups', { body: { schemas: [G], displayName: 'Filter team', members: [{ value: adam }] } })
    const empty = await t.request('POST', '/scim/v2/Groups', { body: { schemas: [G], displayName: 'Filter empty' } })
    try {
      const groups = async (f: string): Promise<string[]> => (await t.request('GET', `/scim/v2/Groups?filter=${encodeURIComponent(`displayName sw "Filter" and ${f}`)}`)).body.Resources.map((r: { displayName: string }) => r.displayName)
      expect(await groups('members pr')).toEqual(['Filter team'])
      expect(await groups('not (members pr)')).toEqual(['Filter empty'])
      const users = async (f: string): Promise<string[]> => (await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent(f)}`)).body.Resources.map((r: { userName: string }) => r.userName).sort()
      expect(await users('emails pr and displayName pr')).toEqual(['adam@x.io', 'mia@x.io', 'zoe@x.io'])
      expect(await users('groups pr')).toEqual(['adam@x.io'])
      expect(await users('groups.display eq "filter TEAM"')).toEqual(['adam@x.io'])
      expect(await users('not (groups pr) and displayName pr')).toEqual(['mia@x.io', 'zoe@x.io'])
    } finally {
      await t.request('DELETE', `/scim/v2/Groups/${String(team.body.id)}`)
      await t.request('DELETE', `/scim/v2/Groups/${String(empty.body.id)}`)
    }
  })

  it('refuses bad input with SCIM errors, never a 5xx', async () => {
    const cases: Array<[string, string, { body?: unknown, raw?: string, headers?: Record<string, string> }, number, string | null]> = [
      ['POST', '/scim/v2/Users', { raw: '{"userName":', headers: { 'content-type': 'application/scim+json' } }, 400, 'invalidSyntax'],
      ['POST', '/scim/v2/Users', { body: { schemas: [U] } }, 400, 'invalidValue'],
      ['POST', '/scim/v2/Users', { body: { schemas: [U], userName: 'x@x.io', emails: 'nope' } }, 400, 'invalidValue'],
      ['POST', '/scim/v2/Users', { body: [1, 2] }, 400, 'invalidSyntax'],
      ['POST', '/scim/v2/Users', { raw: 'userName=x', headers: { 'content-type': 'text/plain' } }, 415, null],
      ['POST', '/scim/v2/Users', { raw: JSON.stringify({ schemas: [U], userName: 'big@x.io', displayName: 'x'.repeat(1_100_000) }), headers: { 'content-type': 'application/json' } }, 413, null],
      ['PATCH', `/scim/v2/Users/${id}`, { body: { Operations: 'x' } }, 400, 'invalidSyntax'],
      ['GET', '/scim/v2/Users?filter=userName%20zz%20%22x%22', {}, 400, 'invalidFilter'],
      ['GET', '/scim/v2/Users?startIndex=abc', {}, 400, 'invalidValue'],
      ['PUT', '/scim/v2/Users/unknown', { body: { schemas: [U], userName: 'q@x.io' } }, 404, null],
      ['DELETE', '/scim/v2/Groups/unknown', {}, 404, null],
      ['PUT', '/scim/v2/Schemas', { body: {} }, 405, null],
      ['DELETE', '/scim/v2/Users', {}, 405, null],
      ['PATCH', '/scim/v2/Groups', { body: {} }, 405, null],
      ['POST', `/scim/v2/Users/${id}`, { body: {} }, 405, null],
      ['GET', '/scim/v2/Me', {}, 501, null],
      ['POST', '/scim/v2/Bulk', { body: {} }, 501, null],
      ['POST', '/scim/v2/Groups', { body: { displayName: 'g', members: [{ value: 'nobody' }] } }, 400, 'invalidValue'],
      ['GET', '/scim/v2/Nope', {}, 404, null],
      ['PATCH', `/scim/v2/Users/${id}`, { body: { schemas: [PATCH], Operations: [null] } }, 400, 'invalidSyntax'],
      ['PATCH', `/scim/v2/Users/${id}`, { body: { schemas: [PATCH], Operations: [5] } }, 400, 'invalidSyntax'],
      ['GET', `/scim/v2/Users?filter=${encodeURIComponent('not (userName eq "a@x.io" or userName eq "b@x.io")')}`, {}, 400, 'invalidFilter'],
      ['POST', '/scim/v2/Users/.search', { body: { filter: Array.from({ length: 1100 }, (_, i) => `userName eq "u${i}@x.io"`).join(' or ') } }, 400, 'invalidFilter'],
      ['POST', '/scim/v2/Groups/.search', { body: { filter: Array.from({ length: 16 }, (_, i) => `(displayName eq "a${i}" or displayName eq "b${i}")`).join(' and ') } }, 400, 'invalidFilter']
    ]
    for (const [method, path, opts, status, scimType] of cases) {
      const r = await t.request(method, path, opts)
      expect(r.status, `${method} ${path}: ${r.text.slice(0, 200)}`).toBe(status)
      expect(r.headers.get('content-type')).toContain('application/scim+json')
      expect(r.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
      expect(r.body.status).toBe(String(status))
      if (scimType !== null) expect(r.body.scimType).toBe(scimType)
    }
  })

  it('reads explicit nulls inside multi-valued attributes as no element (Entra sends them), never a 5xx later', async () => {
    const g = await t.request('POST', '/scim/v2/Groups', { body: { displayName: 'Nulls', members: [null] } })
    expect(g.status).toBe(201)
    expect(g.body.members ?? []).toEqual([])
    const put = await t.request('PUT', `/scim/v2/Groups/${String(g.body.id)}`, { body: { displayName: 'Nulls', members: [null, { value: id }] } })
    expect(put.status).toBe(200)
    expect(put.body.members.map((m: { value: string }) => m.value)).toEqual([id])
    const u = await t.request('POST', '/scim/v2/Users', { body: { schemas: [U], userName: 'nulls@x.io', emails: [null], phoneNumbers: [null] } })
    expect(u.status).toBe(201)
    expect(u.body.emails ?? []).toEqual([])
    const p = await t.request('PATCH', `/scim/v2/Users/${String(u.body.id)}`, { body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'nulls@x.io' }] } })
    expect(p.status).toBe(200)
    expect(p.body.emails).toEqual([{ type: 'work', value: 'nulls@x.io' }])
  })

  it('rotates tokens: any configured token works, and 401s carry WWW-Authenticate', async () => {
    const rot = await buildTestApp({ scimTokens: () => ['old-token-aaaaaaaaaaaaaaa', 'new-token-bbbbbbbbbbbbbbb'] })
    try {
      for (const tok of ['old-token-aaaaaaaaaaaaaaa', 'new-token-bbbbbbbbbbbbbbb']) {
        expect((await rot.request('GET', '/scim/v2/Users', { headers: { authorization: `Bearer ${tok}` } })).status).toBe(200)
      }
      const none = await rot.request('GET', '/scim/v2/Users', { headers: { authorization: '' } })
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toContain('Bearer')
      expect(none.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
      // Refused before the body is read: an anonymous client never learns about JSON or size limits.
      const wrong = { authorization: 'Bearer not-a-valid-token-ccccccc', 'content-type': 'application/scim+json' }
      expect((await rot.request('POST', '/scim/v2/Users', { raw: '{"userName":', headers: wrong })).status).toBe(401)
      expect((await rot.request('POST', '/scim/v2/Users', { raw: JSON.stringify({ userName: 'x'.repeat(1_100_000) }), headers: wrong })).status).toBe(401)
    } finally {
      await rot.close()
    }
  })

  it('keeps the password nowhere: not in the answer, not in the database', async () => {
    const r = await t.request('POST', '/scim/v2/Users', { body: { schemas: [U], userName: 'secret@x.io', password: 'Hunter2-Never-Stored' } })
    expect(r.status).toBe(201)
    expect(r.text).not.toContain('Hunter2')
    const stored = await t.store.getUser(r.body.id)
    expect(JSON.stringify(stored)).not.toContain('Hunter2')
  })
})
