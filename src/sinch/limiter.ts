export interface LimiterOptions {
  initialRate: number
  minRate: number
  maxRate: number
  maxConcurrency: number
  /**
   * Additive increase after the first 429: per second of successes the rate grows by this
   * fraction of itself (at least 1/s), so the probe above a limit takes the same time, about
   * 0.6 s from 97 % of it, whatever the limit, and costs a handful of 429s, not dozens.
   */
  increaseFraction: number
  /**
   * Slow start: below the limit estimate the rate grows by this much per success. When calls
   * flow at the paced rate that is exponential growth with a doubling time of ln 2 / gain
   * seconds: 1 doubles each second, 2.8 about every 250 ms, so a fresh client reaches a
   * 2,000/s limit from 50/s in about 1.3 s instead of 5.3 s.
   */
  slowStartGain: number
  /** Factor applied to rate and concurrency on a 429 (multiplicative decrease). */
  decrease: number
  /**
   * Most start slots one timer tick may grant at once when it fires late (token-bucket catch-up).
   * Timers fire a millisecond or more late, so granting one call per tick caps the pace near
   * 1,000/s; a small cap keeps the catch-up from overshooting the server's bucket after a pause.
   */
  maxBurst: number
}

// maxConcurrency: calls in flight per project. With a remote Sinch each call takes its latency,
// so a limit of R calls/s needs R × latency of them in flight: 256 keeps 2,000/s at 100 ms.
// Pacing, not this cap, keeps the start rate at the learned limit.
export const DEFAULT_LIMITER: LimiterOptions = { initialRate: 50, minRate: 0.5, maxRate: 4000, maxConcurrency: 256, increaseFraction: 0.05, slowStartGain: 2.8, decrease: 0.9, maxBurst: 16 }

/** Thrown to callers still queued (or arriving) after close(). */
export class LimiterClosedError extends Error {
  override readonly name = 'LimiterClosedError'
  constructor () { super('the Sinch client is closed') }
}

interface Waiter { resolve: () => void, reject: (err: Error) => void }

/**
 * Adaptive limiter on rate and concurrency (AIMD). Sinch publishes no limits and sends no
 * Retry-After (shared/sinch-api.md, "Rate limits"), so the client finds the limit itself: it
 * speeds up while calls succeed and backs off on 429, at most once per window so one burst of
 * refusals counts as one signal. Waiters form a FIFO queue; at most one timer is armed, and
 * only when the next start slot lies in the future, so nothing spins. A tick grants every slot
 * that fell due since the last one (at most maxBurst), bounded by concurrency.
 */
export class AdaptiveLimiter {
  rate: number
  concurrency: number
  inFlight = 0
  private nextSlot = 0
  /** Estimate of the limit. Slow start below it (exponential, see slowStartGain); above it, additive. */
  private threshold = Number.POSITIVE_INFINITY
  /** Completion times of the last second's successes: what the server really let through. */
  private readonly recent: number[] = []
  private lastDecrease = Number.NEGATIVE_INFINITY
  /** Between a 429 and the climb back to the threshold, further 429s are the same episode. */
  private recovering = false
  private readonly queue: Waiter[] = []
  private timer: NodeJS.Timeout | null = null
  private closed = false

  constructor (private readonly o: LimiterOptions, private readonly now: () => number = Date.now) {
    this.rate = Math.min(o.maxRate, Math.max(o.minRate, o.initialRate))
    this.concurrency = o.maxConcurrency
  }

  get queued (): number { return this.queue.length }

  /** Resolves when a call may start; the caller must call the returned release exactly once. */
  async acquire (): Promise<() => void> {
    if (this.closed) throw new LimiterClosedError()
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ resolve, reject })
      this.pump()
    })
    let released = false
    return () => {
      if (released) return
      released = true
      this.inFlight--
      this.pump()
    }
  }

  /**
   * Additive increase. Below the threshold (before the first 429, or recovering after one) the
   * rate grows by slowStartGain per success, exponentially, but not past the threshold; from
   * there it probes upwards by max(1, f·rate) per second of successes.
   */
  onSuccess (): void {
    const t = this.now()
    this.recent.push(t)
    while (this.recent.length > 0 && (this.recent[0] ?? t) < t - 1000) this.recent.shift()
    if (this.rate < this.threshold) {
      this.rate = Math.min(this.threshold, this.rate + this.o.slowStartGain)
      if (this.rate >= this.threshold) this.recovering = false
    } else {
      this.rate += Math.max(1, this.o.increaseFraction * this.rate) / Math.max(this.rate, 1)
    }
    this.rate = Math.min(this.o.maxRate, this.rate)
    if (this.concurrency < this.o.maxConcurrency) this.concurrency = Math.min(this.o.maxConcurrency, this.concurrency + 1 / this.concurrency)
  }

  /**
   * Multiplicative decrease of rate and concurrency on a 429 for a call started at `sentAt`.
   * A call started before the last decrease was paced at the old rate: its 429 is old news
   * (one decrease per round, as TCP does per window).
   */
  onRateLimited (sentAt: number = this.now()): void {
    const t = this.now()
    if (sentAt < this.lastDecrease || t - this.lastDecrease < 1000 / this.rate) return
    this.lastDecrease = t
    // Straight down to what actually got through in the last second: when the limit is a token
    // bucket, that is its refill rate, the best steady speed there is.
    const delivered = this.recent.filter((x) => x >= t - 1000).length
    const target = delivered > 0 ? Math.min(this.rate * this.o.decrease, delivered * 0.97) : this.rate * this.o.decrease
    this.rate = Math.max(this.o.minRate, target)
    if (!this.recovering) {
      // The first 429 of an episode: the limit is about here.
      this.threshold = this.rate
      this.recovering = true
    } else {
      // Sinch counts refused calls against the bucket, so one overshoot leaves a debt that refuses
      // the next few calls too: slow down further to repay it, but keep the estimate of the limit
      // (nearly) where it was, so the climb back to it is quick.
      this.threshold = Math.max(this.rate, this.threshold * 0.99)
    }
    this.concurrency = Math.max(1, this.concurrency * this.o.decrease)
    // Calls not yet started wait for the slower pace too.
    this.nextSlot = Math.max(this.nextSlot, t + 1000 / this.rate)
  }

  /** Stops the timer and fails every waiter, so nothing hangs on shutdown and no timer survives. */
  close (): void {
    this.closed = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    for (const w of this.queue.splice(0)) w.reject(new LimiterClosedError())
  }

  /** `late`: called by the timer, which may have fired after the slot it waited for. */
  private pump (late = false): void {
    if (this.timer !== null || this.closed) return
    while (this.queue.length > 0 && this.inFlight < Math.floor(this.concurrency)) {
      const t = this.now()
      if (t < this.nextSlot) {
        this.timer = setTimeout(() => { this.timer = null; this.pump(true) }, Math.ceil(this.nextSlot - t))
        return
      }
      // Slots that came due while the timer was late are still granted, up to maxBurst of them
      // (the schedule may lag the clock by at most maxBurst - 1 intervals). Otherwise (after an
      // idle spell, or once a call ends) pacing restarts from now: idle time earns no burst.
      const interval = 1000 / this.rate
      const lag = late ? (Math.max(1, this.o.maxBurst) - 1) * interval : 0
      this.nextSlot = Math.max(this.nextSlot, t - lag) + interval
      this.inFlight++
      this.queue.shift()?.resolve()
    }
  }
}
