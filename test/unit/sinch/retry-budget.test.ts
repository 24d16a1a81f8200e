import { describe, expect, it } from 'vitest'
import { RetryBudget } from '../../../src/sinch/retry-budget.js'

describe('RetryBudget', () => {
  it('starts full, spends one retry at a time, refuses when empty', () => {
    const b = new RetryBudget({ ratio: 0, minPerSecond: 0, max: 2, now: () => 0 })
    expect([b.spend(), b.spend(), b.spend()]).toEqual([true, true, false])
  })

  it('earns a fraction of a retry per first attempt and refills with time, never above its max', () => {
    let t = 0
    const b = new RetryBudget({ ratio: 0.25, minPerSecond: 2, max: 3, now: () => t })
    while (b.spend()) { /* drain */ }
    for (let i = 0; i < 4; i++) b.earn()
    expect(b.available).toBeCloseTo(1)
    expect([b.spend(), b.spend()]).toEqual([true, false])
    t += 500 // half a second at 2 per second: one more retry
    expect([b.spend(), b.spend()]).toEqual([true, false])
    t += 60_000
    expect(b.available).toBe(3)
  })
})
