import { afterEach, describe, expect, it } from 'vitest'
import { createTokenCheck, matchesSecret } from '../../../src/http/secret-match.js'
import { buildTestApp, type TestApp } from '../../support/app.js'

const A = 'token-a-0123456789abcdef'
const B = 'token-b-0123456789abcdef'

describe('the bearer token check', () => {
  it('accepts a configured token, again from its kept digest, and refuses a wrong or empty one', () => {
    const check = createTokenCheck(() => [A, B])
    expect(check(A)).toBe(true)
    expect(check(A)).toBe(true)
    expect(check(B)).toBe(true)
    expect(check(`${A}x`)).toBe(false)
    expect(check(A.slice(0, -1))).toBe(false)
    expect(check('')).toBe(false)
    expect(matchesSecret(A, [B])).toBe(false)
  })

  it('a token rotated in works at once; one taken out is refused at once, also after it was verified', () => {
    let tokens = [A]
    const check = createTokenCheck(() => tokens)
    expect(check(A)).toBe(true)
    expect(check(B)).toBe(false)
    tokens = [A, B]
    expect(check(B)).toBe(true)
    tokens = [B]
    expect(check(A)).toBe(false)
    expect(check(B)).toBe(true)
    tokens = []
    expect(check(B)).toBe(false)
    tokens = [A]
    expect(check(A)).toBe(true)
  })

  it('keeps at most `kept` verified tokens and still verifies one that fell out', () => {
    const many = Array.from({ length: 5 }, (_, i) => `token-${i}-0123456789abcdef`)
    const check = createTokenCheck(() => many, 2)
    for (const t of many) expect(check(t)).toBe(true)
    expect(check(many[0] as string)).toBe(true)
    many.splice(0, 1)
    expect(check(`token-0-0123456789abcdef`)).toBe(false)
  })
})

describe('SCIM bearer auth over HTTP', () => {
  let t: TestApp | undefined
  afterEach(async () => { await t?.close() })

  it('follows scimTokens() on every request: rotation and revocation take effect without a rebuild', async () => {
    let tokens = [A]
    t = await buildTestApp({ scimTokens: () => tokens })
    const get = async (token: string): Promise<number> => (await fetch(`${t?.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } })).status
    expect(await get(A)).toBe(200)
    expect(await get(B)).toBe(401)
    tokens = [A, B]
    expect(await get(B)).toBe(200)
    tokens = [B]
    expect(await get(A)).toBe(401)
    const refused = await fetch(`${t.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${A}` } })
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(((await refused.json()) as { schemas: string[] }).schemas).toContain('urn:ietf:params:scim:api:messages:2.0:Error')
    expect((await fetch(`${t.url}/scim/v2/Users`)).status).toBe(401)
  })
})
