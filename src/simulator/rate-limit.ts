import type { Bucket } from './options.js'

interface State { tokens: number, at: number }

/**
 * Token buckets per key and project. A rejected call still takes a token (down to -capacity), as
 * Sinch's limiter does: a client that retries at once keeps failing until it backs off.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, State>()

  take (key: string, bucket: Bucket, now: number): boolean {
    const s = this.buckets.get(key) ?? { tokens: bucket.capacity, at: now }
    s.tokens = Math.min(bucket.capacity, s.tokens + ((now - s.at) / 1000) * bucket.refillPerSec)
    s.at = now
    const ok = s.tokens >= 1
    s.tokens = Math.max(-bucket.capacity, s.tokens - 1)
    this.buckets.set(key, s)
    return ok
  }

  reset (): void {
    this.buckets.clear()
  }
}
