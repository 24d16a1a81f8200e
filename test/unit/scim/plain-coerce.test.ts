import { describe, expect, it } from 'vitest'
import { plainCoerce } from '../../../src/scim/plain-coerce.js'
import { CORE_USER, ENTERPRISE, groupDefinition, userDefinition } from '../../../src/scim/setup.js'
import { userInput } from '../../../src/scim/resources.js'

type Json = Record<string, unknown>
type Definition = ReturnType<typeof userDefinition>

/** SCIMMY's answer, as coerceUser and groupInput ask for it: the coerced JSON text, or 'refused'. */
function scimmy (def: Definition, body: Json): string {
  try {
    return JSON.stringify(def.coerce({ ...body, schemas: body.schemas ?? [def.id] }, 'in'))
  } catch {
    return 'refused'
  }
}

/** A small deterministic generator (mulberry32): the same bodies on every run. */
function random (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Bodies near the plain shape and just off it: other casings, unknown and read-only keys, wrong
 * types, non-canonical and differently cased canonical values, nulls, scalars for complex values.
 */
function bodies (def: Definition, n: number, seed: number): Json[] {
  const next = random(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T
  const attributes = def.attributes.filter((a) => 'type' in a) as Array<{ name: string, type: string, config: { multiValued?: boolean }, subAttributes?: Array<{ name: string, type: string }> }>
  const odd = [null, 1, [], {}, ['x'], 'true', true]
  const scalarFor = (type: string): unknown => {
    if (next() < 0.15) return pick(odd)
    if (type === 'boolean') return next() < 0.5
    return pick(['x', '', 'a@b.example', 'work', 'home', 'other', 'WORK', 'Ünïcode', 'http://x.example/u'])
  }
  const caseOf = (name: string): string => (next() < 0.08 ? (next() < 0.5 ? name.toUpperCase() : name.toLowerCase()) : name)
  const complexFor = (subs: Array<{ name: string, type: string }>): unknown => {
    if (next() < 0.1) return pick(['x', ['x'], null])
    const out: Json = {}
    const k = Math.floor(next() * 4)
    for (let i = 0; i < k; i++) {
      const s = next() < 0.05 ? { name: 'bogus', type: 'string' } : pick(subs)
      out[caseOf(s.name)] = scalarFor(s.type)
    }
    return out
  }
  const out: Json[] = []
  for (let i = 0; i < n; i++) {
    const body: Json = {}
    const r = next()
    if (r < 0.6) body.schemas = [def.id]
    else if (r < 0.7) body.schemas = [def.id, ENTERPRISE]
    else if (r < 0.75) body.schemas = ['urn:example:other']
    const k = 1 + Math.floor(next() * 6)
    for (let j = 0; j < k; j++) {
      const roll = next()
      if (roll < 0.03) { body.bogus = 'x'; continue }
      if (roll < 0.05) { body[`${ENTERPRISE}`] = { employeeNumber: '1' }; continue }
      const a = pick(attributes)
      let value: unknown
      if (a.type !== 'complex') value = scalarFor(a.type)
      else if (a.config.multiValued === true) value = next() < 0.1 ? complexFor(a.subAttributes ?? []) : Array.from({ length: Math.floor(next() * 3) }, () => complexFor(a.subAttributes ?? []))
      else value = complexFor(a.subAttributes ?? [])
      body[caseOf(a.name)] = value
    }
    // The attribute a definition requires, most of the time.
    const required = def === userDefinition() ? 'userName' : 'displayName'
    if (next() < 0.85) body[required] = pick(['someone@example.com', 'Team', ''])
    out.push(body)
  }
  return out
}

describe('plainCoerce: SCIMMY\'s inbound coercion, without SCIMMY, for plain bodies', () => {
  for (const [name, def] of [['User', userDefinition()], ['Group', groupDefinition()]] as const) {
    it(`agrees with SCIMMY, key order included, on every generated ${name} body it takes, and leaves the rest to it`, () => {
      let taken = 0
      let refusedBySchema = 0
      for (const body of bodies(def, 4000, name.length)) {
        const expected = scimmy(def, body)
        if (expected === 'refused') refusedBySchema++
        const plain = plainCoerce(def, structuredClone(body))
        if (plain === null) continue
        taken++
        expect(JSON.stringify(plain), JSON.stringify(body)).toBe(expected)
      }
      // Not vacuous: the generator reaches both sides.
      expect(taken).toBeGreaterThan(400)
      expect(refusedBySchema).toBeGreaterThan(400)
    })
  }

  const okta = { schemas: [CORE_USER], userName: 'isaac.brock@example.com', name: { givenName: 'Isaac', familyName: 'Brock' }, emails: [{ primary: true, value: 'isaac.brock@example.com', type: 'work' }], displayName: 'Isaac Brock', locale: 'en-US', externalId: '00ujl29u0le5T6Aj10h7', groups: [], password: '1mz050nq', active: true }
  const entra = { schemas: [CORE_USER], externalId: 'jdoe', userName: 'jdoe@contoso.com', active: true, displayName: 'Jane Doe', emails: [{ primary: true, type: 'work', value: 'jdoe@contoso.com' }], name: { formatted: 'Jane Doe', familyName: 'Doe', givenName: 'Jane' }, title: 'Engineer', preferredLanguage: 'en-US', phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }], addresses: [{ type: 'work', streetAddress: '1 Way', locality: 'Redmond', primary: true }] }

  it('takes the bodies Okta and Entra create users with, as SCIMMY coerces them', () => {
    for (const body of [okta, entra, { userName: 'bare@example.com' }]) {
      const plain = plainCoerce(userDefinition(), body)
      expect(plain, JSON.stringify(body)).not.toBeNull()
      expect(JSON.stringify(plain)).toBe(scimmy(userDefinition(), body))
    }
  })

  it('leaves extensions, other casings, unknown keys, non-canonical values and a missing userName to SCIMMY', () => {
    const def = userDefinition()
    for (const body of [
      { schemas: [CORE_USER, ENTERPRISE], userName: 'a@example.com', [ENTERPRISE]: { employeeNumber: '7' } },
      { USERNAME: 'a@example.com' },
      { userName: 'a@example.com', nickname: 'lower-case key' },
      { userName: 'a@example.com', emails: [{ value: 'a@example.com', type: 'WORK' }] },
      { userName: 'a@example.com', active: 'true' },
      { userName: 'a@example.com', profileUrl: 'https://example.com/a' },
      { displayName: 'no userName' },
      { userName: 'a@example.com', title: null }
    ]) expect(plainCoerce(def, body), JSON.stringify(body)).toBeNull()
  })

  it('hands back copies: the stored resource never aliases the request body', () => {
    const body = structuredClone(okta)
    const out = plainCoerce(userDefinition(), body) as { name: Json, emails: Json[] }
    out.name.givenName = 'changed'
    ;(out.emails[0] as Json).value = 'changed'
    expect(body.name.givenName).toBe('Isaac')
    expect(body.emails[0]?.value).toBe('isaac.brock@example.com')
  })

  it('userInput stores the same record whichever way the body was coerced', () => {
    // Okta's body takes the plain path (its read-only `groups` dropped); an extra key cased
    // otherwise (and undefined) sends the same body through SCIMMY.
    const forced = { ...okta, NickName: undefined }
    expect(plainCoerce(userDefinition(), forced)).toBeNull()
    const plain = userInput({ ...okta }, null)
    const viaScimmy = userInput(forced, null)
    expect(JSON.stringify(viaScimmy)).toBe(JSON.stringify(plain))
    expect(plain.resource).not.toHaveProperty('password')
    expect(plain.resource).not.toHaveProperty('groups')
  })
})
