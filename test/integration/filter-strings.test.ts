import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.js'
import { CORE_USER, SEARCH_REQUEST } from '../support/urns.js'

/** RFC 7644 §3.4.2.2: compValue strings are JSON strings, escapes and all. */
describe('filter string values', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp()
    for (const [userName, title] of [['quote"name', 'say "hi"'], ['Abc@example.com', 'plain'], ['back\\slash', 'a\\b']]) {
      const r = await t.request('POST', '/scim/v2/Users', { body: { schemas: [CORE_USER], userName, title, emails: [{ value: 'x@example.com', type: 'work' }] } })
      expect(r.status, r.text).toBe(201)
    }
  })
  afterAll(async () => { await t.close() })

  const users = async (filter: string): Promise<{ status: number, body: any }> => await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent(filter)}`)
  const names = async (filter: string): Promise<string[]> => {
    const r = await users(filter)
    expect(r.status, `${filter}: ${JSON.stringify(r.body)}`).toBe(200)
    return r.body.Resources.map((u: { userName: string }) => u.userName)
  }

  it('decodes escapes: \\" inside a value, \\u0041, \\\\, on indexed and on evaluated attributes', async () => {
    expect(await names('userName eq "quote\\"name"')).toEqual(['quote"name'])
    expect(await names('userName eq "\\u0041bc@example.com"')).toEqual(['Abc@example.com'])
    expect(await names('userName eq "back\\\\slash"')).toEqual(['back\\slash'])
    expect(await names('title eq "say \\"hi\\""')).toEqual(['quote"name'])
    expect(await names('title co "\\u0022hi"')).toEqual(['quote"name'])
    expect((await names('title eq "a\\\\b" or userName sw "quote\\""')).sort()).toEqual(['back\\slash', 'quote"name'])
    const search = await t.request('POST', '/scim/v2/Users/.search', { body: { schemas: [SEARCH_REQUEST], filter: 'userName eq "quote\\"name"' } })
    expect(search.body.totalResults).toBe(1)
  })

  it('a malformed escape or a value that is no date is 400 invalidFilter', async () => {
    for (const filter of ['userName eq "bad\\x"', 'userName eq "a\\u00"', 'meta.created gt "not a date"', 'meta.lastModified lt "yesterday"', 'meta.created ge 5', 'title eq "x" and meta.created gt "2026-13-45T99:00:00Z"', 'userName eq "nul\\u0000"']) {
      const r = await users(filter)
      expect(r.status, `${filter}: ${JSON.stringify(r.body)}`).toBe(400)
      expect(r.body.scimType, filter).toBe('invalidFilter')
    }
    const groups = await t.request('GET', `/scim/v2/Groups?filter=${encodeURIComponent('meta.created gt "not a date"')}`)
    expect(groups.status).toBe(400)
    expect(await names('meta.created gt "2000-01-01T00:00:00Z"')).toHaveLength(3)
    expect(await names('meta.created lt "2000-01-01"')).toEqual([])
  })
})
