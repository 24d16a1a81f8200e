import { afterEach, describe, expect, it, vi } from 'vitest'
import { AdaptiveLimiter, DEFAULT_LIMITER, LimiterClosedError, type LimiterOptions } from '../../../src/sinch/limiter.js'

const OPTS: LimiterOptions = { initialRate: 10, minRate: 0.5, maxRate: 1000, maxConcurrency: 8, increaseFraction: 0.05, slowStartGain: 1, decrease: 0.5, maxBurst: 8 }

function manualClock (start = 1_000_000): { now: () => number, advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => { t += ms } }
}

describe('AIMD arithmetic', () => {
  it('slow start: +1 per success (the rate doubles per second of successes) until the first 429', () => {
    const c = manualClock()
    const l = new AdaptiveLimiter(OPTS, c.now)
    for (let i = 0; i < 10; i++) l.onSuccess()
    expect(l.rate).toBe(20)
  })

  it('default slow start doubles the rate about every 250 ms of paced successes, and its ceiling is above 2,000/s', () => {
    const c = manualClock()
    const l = new AdaptiveLimiter(DEFAULT_LIMITER, c.now)
    const start = l.rate
    const t0 = c.now()
    while (c.now() - t0 < 250) { c.advance(1000 / l.rate); l.onSuccess() }
    expect(l.rate / start).toBeGreaterThan(1.8)
    expect(l.rate / start).toBeLessThan(2.2)
    // From 50/s to a 2,000/s limit in well under two seconds of successes, and past it: a limit
    // at 2,000/s is found by a 429, not by the client's own ceiling.
    while (c.now() - t0 < 2000 && l.rate < 2500) { c.advance(1000 / l.rate); l.onSuccess() }
    expect(l.rate).toBeGreaterThanOrEqual(2500)
    expect(c.now() - t0).toBeLessThan(1600)
  })

  it('on 429 drops to what got through in the last second, at most rate·decrease; then probes upwards by a fraction of itself', () => {
    const c = manualClock()
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 100 }, c.now)
    for (let i = 0; i < 40; i++) { c.advance(10); l.onSuccess() } // 40 delivered within the last second
    expect(l.rate).toBe(140)
    l.onRateLimited()
    expect(l.rate).toBeCloseTo(40 * 0.97, 6) // min(140·0.5, 40·0.97)
    const after429 = l.rate
    // Congestion avoidance: one second's worth of successes adds max(1, increaseFraction·rate).
    for (let i = 0; i < Math.round(after429); i++) l.onSuccess()
    expect(l.rate - after429).toBeGreaterThan(0.05 * after429 * 0.9)
    expect(l.rate - after429).toBeLessThan(0.05 * after429 * 1.2)
  })

  it('probes by at least 1/s per second of successes when the rate is low', () => {
    const c = manualClock()
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 4 }, c.now)
    l.onRateLimited() // 4 → 2, threshold 2
    for (let i = 0; i < 2; i++) l.onSuccess()
    expect(l.rate).toBeCloseTo(2 + 1 / 2 + 1 / 2.5, 6) // +1/rate per success: about +1 per second
  })

  it('recovers quickly after a 429: doubles per second up to the limit estimate, not past it', () => {
    const c = manualClock()
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 100 }, c.now)
    l.onRateLimited() // 100 → 50: the limit is about 50
    c.advance(1000)
    l.onRateLimited(c.now()) // a second refusal in the same episode (the bucket's debt): 25, estimate ≈ 49.5
    expect(l.rate).toBe(25)
    for (let i = 0; i < 24; i++) l.onSuccess()
    expect(l.rate).toBe(49)
    l.onSuccess()
    expect(l.rate).toBeCloseTo(49.5, 6) // capped at the estimate, then additive probing
    l.onSuccess()
    expect(l.rate).toBeGreaterThan(49.5)
    expect(l.rate).toBeLessThan(49.6)
  })

  it('halves (decrease factor) when nothing got through lately, and decreases concurrency too', () => {
    const c = manualClock()
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 100 }, c.now)
    l.onRateLimited()
    expect(l.rate).toBe(50)
    expect(l.concurrency).toBe(4)
  })

  it('counts one burst of 429s as one signal: calls sent before the last decrease do not decrease again', () => {
    const c = manualClock()
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 100 }, c.now)
    const sentBefore = c.now() - 5
    l.onRateLimited(sentBefore)
    l.onRateLimited(sentBefore)
    c.advance(100)
    l.onRateLimited(sentBefore) // paced at the old rate: old news
    expect(l.rate).toBe(50)
    l.onRateLimited(c.now()) // sent after the decrease, and a round (1/rate) later: a new signal
    expect(l.rate).toBe(25)
    l.onRateLimited(c.now()) // within 1/rate of the last decrease: the same round
    expect(l.rate).toBe(25)
  })

  it('stays within [minRate, maxRate] and concurrency within [1, maxConcurrency]', () => {
    const c = manualClock()
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 5, maxRate: 12 }, c.now)
    for (let i = 0; i < 50; i++) { c.advance(10_000); l.onRateLimited() }
    expect(l.rate).toBe(0.5)
    expect(l.concurrency).toBe(1)
    for (let i = 0; i < 10_000; i++) l.onSuccess()
    expect(l.rate).toBe(12)
    expect(l.concurrency).toBe(8)
  })

  it('clamps the initial rate to its bounds', () => {
    expect(new AdaptiveLimiter({ ...OPTS, initialRate: 5000 }).rate).toBe(1000)
    expect(new AdaptiveLimiter({ ...OPTS, initialRate: 0 }).rate).toBe(0.5)
  })
})

describe('queue, pacing and concurrency', () => {
  afterEach(() => { vi.useRealTimers() })

  it('never lets more than the concurrency limit run, and serves waiters first in, first out', async () => {
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 1000, maxRate: 1000, maxConcurrency: 3 })
    const order: number[] = []
    const releases: Array<() => void> = []
    const all = Array.from({ length: 9 }, async (_, i) => {
      const release = await l.acquire()
      order.push(i)
      releases.push(release)
    })
    await vi.waitFor(() => expect(order).toHaveLength(3))
    expect(l.inFlight).toBe(3)
    expect(l.queued).toBe(6)
    await new Promise((r) => setTimeout(r, 20))
    expect(order).toHaveLength(3)
    while (releases.length > 0 || order.length < 9) {
      const r = releases.shift()
      r?.()
      r?.() // a second release of the same slot is ignored
      await new Promise((resolve) => setTimeout(resolve, 2))
      expect(l.inFlight).toBeLessThanOrEqual(3)
    }
    await Promise.all(all)
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    l.close()
  })

  it('paces starts at 1/rate apart with a single timer armed (no busy spin)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 10 }, () => Date.now())
    const t0 = Date.now()
    const started: number[] = []
    for (let i = 0; i < 5; i++) void l.acquire().then((release) => { started.push(Date.now() - t0); release() })
    await vi.advanceTimersByTimeAsync(0)
    expect(started).toEqual([0])
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(450)
    expect(started).toEqual([0, 100, 200, 300, 400])
    expect(vi.getTimerCount()).toBe(0)
    l.close()
  })

  it('after a 429, calls not yet started wait for the slower pace', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 100 }, () => Date.now())
    ;(await l.acquire())()
    l.onRateLimited() // 100/s → 50/s: the next start is ≥ 20 ms away
    const t0 = Date.now()
    let at = -1
    void l.acquire().then((release) => { at = Date.now() - t0; release() })
    await vi.advanceTimersByTimeAsync(15)
    expect(at).toBe(-1)
    await vi.advanceTimersByTimeAsync(10)
    expect(at).toBeGreaterThanOrEqual(19)
    l.close()
  })

  it('a late tick grants every slot that fell due since the slot it waited for, not one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const c = manualClock()
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 1000 }, c.now)
    let granted = 0
    for (let i = 0; i < 20; i++) void l.acquire().then(() => { granted++ }, () => {})
    await vi.advanceTimersByTimeAsync(0)
    expect(granted).toBe(1) // from idle: one now, the next in 1 ms
    c.advance(5) // the timer fires 4 ms late: slots at +1 … +5 are all due
    await vi.advanceTimersByTimeAsync(1)
    expect(granted).toBe(6)
    expect(vi.getTimerCount()).toBe(1) // and the next slot (+6) waits for a timer again
    l.close()
  })

  it('a very late tick grants at most maxBurst, then paces again (no overshoot of a token bucket)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const c = manualClock()
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 1000, maxConcurrency: 100, maxBurst: 8 }, c.now)
    let granted = 0
    for (let i = 0; i < 50; i++) void l.acquire().then(() => { granted++ }, () => {})
    await vi.advanceTimersByTimeAsync(0)
    expect(granted).toBe(1)
    c.advance(100) // 100 slots overdue
    await vi.advanceTimersByTimeAsync(1)
    expect(granted).toBe(1 + 8)
    await vi.advanceTimersByTimeAsync(5) // the clock stands still: no slot is due, nothing more starts
    expect(granted).toBe(9)
    c.advance(3)
    await vi.advanceTimersByTimeAsync(1)
    expect(granted).toBe(12) // back to 1/rate: three more for three intervals
    l.close()
  })

  it('catch-up stays within the concurrency limit', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const c = manualClock()
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 1000, maxConcurrency: 3 }, c.now)
    let granted = 0
    for (let i = 0; i < 20; i++) void l.acquire().then(() => { granted++ }, () => {})
    await vi.advanceTimersByTimeAsync(0)
    c.advance(50)
    await vi.advanceTimersByTimeAsync(1)
    expect(granted).toBe(3)
    expect(l.inFlight).toBe(3)
    l.close()
  })

  it('close() stops its timer, fails every waiter, and refuses new callers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const l = new AdaptiveLimiter({ ...OPTS, initialRate: 1 }, () => Date.now())
    ;(await l.acquire())()
    const waiting = [l.acquire(), l.acquire()]
    await vi.advanceTimersByTimeAsync(0)
    expect(vi.getTimerCount()).toBe(1)
    l.close()
    expect(vi.getTimerCount()).toBe(0)
    for (const w of waiting) await expect(w).rejects.toBeInstanceOf(LimiterClosedError)
    await expect(l.acquire()).rejects.toBeInstanceOf(LimiterClosedError)
  })
})
