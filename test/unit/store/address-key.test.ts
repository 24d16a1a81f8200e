import { describe, expect, it } from 'vitest'
import { addressKey } from '../../../src/store/address-key.js'

describe('addressKey: the one normal form of an email address', () => {
  it('is case-insensitive and ignores surrounding white space', () => {
    expect(addressKey('  Ann@Example.COM ')).toBe('ann@example.com')
  })

  it('makes composed and decomposed spellings of one address equal (NFC)', () => {
    const decomposed = 'Jose\u0301@example.com'
    const composed = 'jos\u00e9@example.com'
    expect(decomposed).not.toBe(composed)
    expect(addressKey(decomposed)).toBe(addressKey(composed))
    expect(addressKey(decomposed)).toBe(composed)
  })

  it('spells a lone surrogate as the replacement character, as a UTF-8 store gives it back', () => {
    expect(addressKey('a\ud800b@example.com')).toBe('a\ufffdb@example.com')
    expect(addressKey('a\udc00@example.com')).toBe('a\ufffd@example.com')
    // A proper pair is a character and stays.
    expect(addressKey('a\ud83d\ude00@example.com')).toBe('a\ud83d\ude00@example.com')
    expect(addressKey(Buffer.from('a\ud800b@example.com', 'utf8').toString('utf8'))).toBe(addressKey('a\ud800b@example.com'))
  })

  it('gives ASCII addresses (its shortcut) the same key the whole normal form gives', () => {
    const whole = (e: string): string => e.trim().toLowerCase().normalize('NFC')
    let seed = 7
    const next = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
    for (let i = 0; i < 3000; i++) {
      const s = Array.from({ length: next(24) }, () => String.fromCharCode(next(128))).join('')
      expect(addressKey(s)).toBe(whole(s))
    }
    // One code unit past ASCII takes the whole way.
    expect(addressKey(' A\u00C9@X.io')).toBe('a\u00e9@x.io')
  })

  it('is idempotent', () => {
    for (const e of ['ANN@x.io', 'Jose\u0301@example.com', 'a\ud800@b.c', 'İstanbul@example.com']) {
      expect(addressKey(addressKey(e))).toBe(addressKey(e))
    }
  })
})
