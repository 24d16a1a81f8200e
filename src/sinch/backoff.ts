export interface RetryPolicy {
  baseMs: number
  capMs: number
  maxAttempts: number
  deadlineMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1000, capMs: 30_000, maxAttempts: 8, deadlineMs: 120_000 }

/** Full jitter (AWS architecture blog): sleep uniformly in [0, min(cap, base·2^attempt)]. */
export function fullJitter (attempt: number, p: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random: () => number): number {
  const ceiling = Math.min(p.capMs, p.baseMs * 2 ** Math.min(attempt, 30))
  return Math.floor(random() * ceiling)
}

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterMs (header: string | string[] | undefined, now: number): number | null {
  const v = Array.isArray(header) ? header[0] : header
  if (v === undefined || v.trim() === '') return null
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000
  const t = Date.parse(v)
  return Number.isNaN(t) ? null : Math.max(0, t - now)
}

export function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) { reject(signal.reason); return }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
