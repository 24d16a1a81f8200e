/**
 * A client-wide cap on retries of failed calls (5xx, resets, timeouts), so an outage of Sinch meets
 * a trickle of retries instead of every caller's full attempt count at once. Each first attempt
 * earns `ratio` of a retry, and `minPerSecond` retries are always allowed (a quiet client still
 * retries its few calls); the balance never exceeds `max`. 429s are not charged here: the adaptive
 * limiter already slows the calls that meet them.
 */
export interface RetryBudgetOptions {
  ratio: number
  minPerSecond: number
  max: number
  now: () => number
}

export const DEFAULT_RETRY_BUDGET = { ratio: 0.2, minPerSecond: 5, max: 100 }

export class RetryBudget {
  private balance: number
  private last: number

  constructor (private readonly o: RetryBudgetOptions) {
    this.balance = o.max
    this.last = o.now()
  }

  /** A first attempt was sent. */
  earn (): void {
    this.refill()
    this.balance = Math.min(this.o.max, this.balance + this.o.ratio)
  }

  /** May this failed call be retried? Spends one retry when it may. */
  spend (): boolean {
    this.refill()
    if (this.balance < 1) return false
    this.balance -= 1
    return true
  }

  get available (): number {
    this.refill()
    return this.balance
  }

  private refill (): void {
    const at = this.o.now()
    const elapsed = Math.max(0, at - this.last) / 1000
    this.last = at
    this.balance = Math.min(this.o.max, this.balance + elapsed * this.o.minPerSecond)
  }
}
