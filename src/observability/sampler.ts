import type { Metrics } from './metrics.js'

/**
 * Running totals at one instant. Counters only ever grow (since start), so any two samples give
 * what happened between them; the queue depth is a level, read as it is.
 */
export interface Totals {
  at: number
  queueDepth: number
  sinch: { ok: number, rateLimited: number, failed: number }
  scim: { ok: number, clientError: number, serverError: number }
}

export interface SamplerOptions {
  read: () => Promise<Totals>
  /** Between two samples; 60 s keeps six hours in 360 samples. */
  intervalMs?: number
  capacity?: number
  onError?: (err: Error) => void
}

export interface Sampler {
  start (): void
  stop (): void
  /** Takes a sample now (the first one at start, and tests that cannot wait a minute). */
  sampleNow (): Promise<Totals>
  /** Oldest first. */
  samples (): Totals[]
  /** The totals now, read live (not stored): the overview's "last hour" ends at this instant. */
  current (): Promise<Totals>
  intervalMs: number
  capacity: number
}

/** A fixed ring of samples in memory: nothing leaves the process, and memory stays bounded. */
export function createSampler (opts: SamplerOptions): Sampler {
  const intervalMs = opts.intervalMs ?? 60_000
  const capacity = opts.capacity ?? 360
  const ring: Totals[] = []
  let next = 0
  let timer: NodeJS.Timeout | null = null

  async function sampleNow (): Promise<Totals> {
    const t = await opts.read()
    if (ring.length < capacity) ring.push(t)
    else ring[next] = t
    next = (next + 1) % capacity
    return t
  }
  const tick = (): void => { sampleNow().catch((err: Error) => opts.onError?.(err)) }

  return {
    intervalMs,
    capacity,
    sampleNow,
    current: opts.read,
    samples: () => (ring.length < capacity ? [...ring] : [...ring.slice(next), ...ring.slice(0, next)]),
    start () {
      if (timer !== null) return
      tick()
      timer = setInterval(tick, intervalMs)
    },
    stop () {
      if (timer !== null) clearInterval(timer)
      timer = null
    }
  }
}

type Labelled = { labels: Partial<Record<string, string | number>>, value: number, metricName?: string }

/**
 * Totals from the metrics the bridge already keeps (one source of truth with /metrics): Sinch
 * calls by outcome, SCIM requests (routes under the SCIM base path) by status class.
 */
export function totalsFromMetrics (metrics: Pick<Metrics, 'sinchCalls' | 'httpRequests'>, scimBasePath: string, queueDepth: () => Promise<number>, now: () => number = Date.now): () => Promise<Totals> {
  const prefix = scimBasePath === '/' ? '/' : `${scimBasePath}/`
  return async () => {
    const [calls, requests, depth] = await Promise.all([metrics.sinchCalls.get(), metrics.httpRequests.get(), queueDepth()])
    const sinch = { ok: 0, rateLimited: 0, failed: 0 }
    for (const v of calls.values as Labelled[]) {
      // A 404 on delete or a 409 on invite is an answer the bridge expects, not a failure.
      const o = v.labels.outcome
      if (o === 'ok' || o === 'not_found' || o === 'conflict') sinch.ok += v.value
      else if (o === 'rate_limited') sinch.rateLimited += v.value
      else sinch.failed += v.value
    }
    const scim = { ok: 0, clientError: 0, serverError: 0 }
    for (const v of requests.values as Labelled[]) {
      if (v.metricName?.endsWith('_count') !== true) continue
      const route = String(v.labels.route ?? '')
      if (!route.startsWith(prefix) && route !== scimBasePath) continue
      const status = Number(v.labels.status)
      if (status >= 500) scim.serverError += v.value
      else if (status >= 400) scim.clientError += v.value
      else scim.ok += v.value
    }
    return { at: now(), queueDepth: depth, sinch, scim }
  }
}
