import { beforeAll, describe, expect, it } from 'vitest'
import { parseFilter, simpleUserEquality, toWhere } from '../../../src/scim/filter.js'
import { configureScimmy } from '../../../src/scim/setup.js'

/** A small seeded generator: the same cases on every run. */
function random (seed: number): () => number {
  let s = seed
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 }
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
const ALPHABET = ['a', 'Z', '0', '@', '.', '-', '_', '+', ' ', 'é', 'ß', 'İ', '漢', '😀', '"', '\\', '\t', '\u0001', '/', '(', ')', '[', ']', 'and', 'or', 'eq']
const ATTRS = ['userName', 'USERNAME', 'username', 'externalId', 'externalID', 'id', 'ID', 'emails.value', 'Emails.Value', 'displayName', 'title', 'emails[type eq "work"].value']
const OPS = ['eq', 'EQ', 'Eq', 'ne', 'co', 'sw']

describe('simpleUserEquality: the full parse\'s Where, without the parse', () => {
  beforeAll(() => { configureScimmy() })

  it('gives what toWhere(parseFilter(…)) gives, or null, for 3,000 random filters', () => {
    const r = random(7)
    let simple = 0
    for (let i = 0; i < 3000; i++) {
      const value = Array.from({ length: Math.floor(r() * 12) }, () => pick(r, ALPHABET)).join('')
      const text = `${r() < 0.1 ? ' ' : ''}${pick(r, ATTRS)}${r() < 0.1 ? '  ' : ' '}${pick(r, OPS)} ${JSON.stringify(value)}${r() < 0.1 ? ' and active eq true' : ''}${r() < 0.1 ? ' ' : ''}`
      const fast = simpleUserEquality(text)
      if (fast === null) continue
      simple++
      expect({ text, where: fast }).toEqual({ text, where: toWhere(parseFilter(text), 'user') })
    }
    // Most random filters are not simple; enough are for the comparison to mean something.
    expect(simple).toBeGreaterThan(300)
  })

  it('leaves every other filter to the full parse', () => {
    for (const text of ['userName ne "a"', 'userName eq "a" and active eq true', 'userName eq "a\\"b"', 'userName eq "tab\there"', 'title eq "a"', 'userName eq 5', 'userName eq "a" or userName eq "b"', 'not (userName eq "a")', 'emails[type eq "work"].value eq "a"', 'userName pr']) {
      expect(simpleUserEquality(text)).toBeNull()
    }
    expect(simpleUserEquality('userName eq "Zoe@X.io"')).toEqual([[{ attr: 'userName', op: 'eq', value: 'Zoe@X.io', negate: false }]])
  })
})
