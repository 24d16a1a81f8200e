import { describe, expect, it } from 'vitest'
import { fullJitter, retryAfterMs, sleep } from '../../../src/sinch/backoff.js'

describe('full-jitter backoff', () => {
  const p = { baseMs: 1000, capMs: 30_000 }

  it('sleeps in [0, min(cap, base·2^attempt)): the bounds with random at its extremes', () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const ceiling = Math.min(30_000, 1000 * 2 ** attempt)
      expect(fullJitter(attempt, p, () => 0)).toBe(0)
      const top = fullJitter(attempt, p, () => 0.999999)
      expect(top).toBeLessThan(ceiling)
      expect(top).toBeGreaterThanOrEqual(ceiling - 1)
      expect(fullJitter(attempt, p, () => 0.5)).toBe(Math.floor(ceiling / 2))
    }
  })

  it('never exceeds the cap, however many attempts (no overflow at large exponents)', () => {
    expect(fullJitter(5, p, () => 0.999999)).toBeLessThan(30_000)
    expect(fullJitter(1000, p, () => 0.999999)).toBeLessThan(30_000)
    expect(fullJitter(1000, p, () => 0.999999)).toBeGreaterThan(29_000)
  })

  it('spreads waits over the whole window (jitter, not a fixed step)', () => {
    let seed = 1
    const random = (): number => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
    const waits = Array.from({ length: 2000 }, () => fullJitter(3, p, random))
    expect(Math.min(...waits)).toBeLessThan(400)
    expect(Math.max(...waits)).toBeGreaterThan(7600)
    const mean = waits.reduce((a, b) => a + b, 0) / waits.length
    expect(mean).toBeGreaterThan(3600)
    expect(mean).toBeLessThan(4400)
  })
})

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it('reads delta-seconds and HTTP dates; null when absent or unreadable', () => {
    expect(retryAfterMs('7', now)).toBe(7000)
    expect(retryAfterMs([' 2 '], now)).toBe(2000)
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0)
    expect(retryAfterMs(undefined, now)).toBeNull()
    expect(retryAfterMs('', now)).toBeNull()
    expect(retryAfterMs('soon', now)).toBeNull()
  })
})

describe('sleep', () => {
  it('ends early, rejecting, when its signal aborts, and leaves no timer behind', async () => {
    const ac = new AbortController()
    const started = Date.now()
    const p = sleep(10_000, ac.signal)
    ac.abort(new Error('closed'))
    await expect(p).rejects.toThrow('closed')
    expect(Date.now() - started).toBeLessThan(1000)
    await expect(sleep(5, ac.signal)).rejects.toThrow('closed')
    await expect(sleep(5)).resolves.toBeUndefined()
  })
})
