import type { CircuitSnapshot } from '../sinch/circuit.js'

/** The Sinch circuit as /readyz serves it: times as ISO strings, the reason free of Sinch's text. */
export interface CircuitView {
  state: CircuitSnapshot['state']
  since: string | null
  failingSince: string | null
  recentFailures: number
  window: number
  lastFailure: { at: string, reason: string } | null
}

/** One named check of /readyz (served by http/ops-routes.ts). */
export interface ReadinessCheck {
  name: string
  check: () => Promise<{ ok: boolean, detail: string, circuit?: CircuitView }>
}

export interface ReadinessSources {
  store: { ping (): Promise<void> }
  sinch: {
    /** When Sinch last accepted us: a token obtained (OAuth), or any call answered (Basic). */
    lastTokenAt (): number | null
    /** A real round trip: a token fetch (OAuth), a one-member listing of a managed project (Basic). */
    probe (): Promise<void>
    apiStyle?: () => string | null
    resolveStyle?: (projectId: string) => Promise<{ style: string }>
    /**
     * A real members call whose outcome the circuit counts. While the circuit is open, readiness
     * makes one now and then: with an empty queue nothing else would call Sinch, and the bridge
     * would stay unready until the next reconcile long after Sinch came back.
     */
    recheck?: () => Promise<void>
  }
  /** The first is probed for the API style when none is known yet. */
  managedProjects?: string[]
  reconciler: { lastReport (): { finishedAt: string, ok: boolean } | null }
  intervalMs: number
  startedAt?: number
  /** How long the database may take to answer the ping before the bridge is not ready. */
  storeTimeoutMs?: number
  /** The Sinch circuit (sinch/circuit.ts), read at each poll. */
  circuit?: () => CircuitSnapshot
  /** SINCH_UNREADY_AFTER_SECONDS in ms: not ready once the circuit has been open this long; 0 never. */
  unreadyAfterMs?: number
  /** At most one recheck of an open circuit this often (default 10 s), however often /readyz is polled. */
  recheckEveryMs?: number
}

const TOKEN_FRESH_MS = 60 * 60 * 1000
const STORE_TIMEOUT_MS = 1_000
const RECHECK_EVERY_MS = 10_000
const RECHECK_TIMEOUT_MS = 5_000

/** Resolves when `p` does, rejects after `ms`; the timer never outlives the race. */
async function within<T> (p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(message)), ms) })
  try {
    return await Promise.race([p, late])
  } finally {
    clearTimeout(timer)
  }
}

/** Shares one in-flight call among concurrent callers: a load balancer polling /readyz must not stack probes. */
function single (fn: () => Promise<void>): () => Promise<void> {
  let inflight: Promise<void> | null = null
  return async () => {
    inflight ??= fn().finally(() => { inflight = null })
    await inflight
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

export function circuitView (c: CircuitSnapshot): CircuitView {
  return {
    state: c.state,
    since: iso(c.since),
    failingSince: iso(c.failingSince),
    recentFailures: c.recentFailures,
    window: c.window,
    lastFailure: c.lastFailure === null ? null : { at: new Date(c.lastFailure.at).toISOString(), reason: c.lastFailure.reason }
  }
}

/**
 * Ready unless the circuit has been open (every recent call failing, none succeeding since)
 * longer than `unreadyAfterMs`: a short outage keeps the bridge in service, since every SCIM write
 * is durable and queued, but one that lasts is said, not hidden behind "ready".
 */
export function circuitReadiness (c: CircuitSnapshot, unreadyAfterMs: number, now: number): { ok: boolean, detail: string, circuit: CircuitView } | null {
  if (c.state === 'closed') return null
  const view = circuitView(c)
  const last = view.lastFailure === null ? '' : `; last failure ${view.lastFailure.at}: ${view.lastFailure.reason}`
  if (c.state === 'degraded') {
    return { ok: true, detail: `circuit degraded since ${view.since ?? ''}: ${c.recentFailures} of the last ${c.window} calls failed${last}`, circuit: view }
  }
  const failingMs = c.failingSince === null ? 0 : now - c.failingSince
  const unready = unreadyAfterMs > 0 && failingMs > unreadyAfterMs
  const limit = unreadyAfterMs === 0 ? '' : unready ? `; not ready: open longer than ${unreadyAfterMs / 1000} s` : `; not ready after ${unreadyAfterMs / 1000} s open`
  return { ok: !unready, detail: `circuit open: every call failing since ${view.failingSince ?? ''} (${Math.round(failingMs / 1000)} s)${last}${limit}`, circuit: view }
}

/** Runs `sinch.recheck` when the circuit is open and the last recheck is old enough; never throws. */
function openCircuitRecheck (s: ReadinessSources): () => Promise<void> {
  const recheck = s.sinch.recheck
  const every = s.recheckEveryMs ?? RECHECK_EVERY_MS
  let last = Number.NEGATIVE_INFINITY
  const run = single(async () => {
    // The outcome reaches the circuit through the client; a failure here is just one more failed call.
    try { await within(recheck?.() ?? Promise.resolve(), RECHECK_TIMEOUT_MS, 'timeout') } catch { /* counted by the circuit */ }
  })
  return async () => {
    if (recheck === undefined || s.circuit?.().state !== 'open' || Date.now() - last < every) return
    last = Date.now()
    await run()
  }
}

/**
 * Our own deadline, or the driver's (a connect or read timeout): with equal limits either may
 * fire first, and both mean the database did not answer, not that it refused. The store hands the
 * driver's error on as the cause of a StoreUnavailableError, so the causes are read too.
 */
function timedOut (err: unknown): boolean {
  let e: unknown = err
  for (let depth = 0; depth < 5 && e !== undefined && e !== null; depth++) {
    const message = (e as Error).message
    if (typeof message === 'string' && /\btimeout\b/i.test(message)) return true
    e = (e as Error).cause
  }
  return false
}

/**
 * /readyz: the store answers within a second, Sinch accepted us within the hour (probed if not)
 * and its circuit has not been open too long,
 * and the reconciler finished a run within three intervals of now (or of start-up).
 */
export function createReadiness (s: ReadinessSources): ReadinessCheck[] {
  const startedAt = s.startedAt ?? Date.now()
  const storeTimeoutMs = s.storeTimeoutMs ?? STORE_TIMEOUT_MS
  const ping = single(async () => { await s.store.ping() })
  const probe = single(async () => { await s.sinch.probe() })
  const first = s.managedProjects?.[0]
  const resolveStyle = single(async () => { if (first !== undefined) await s.sinch.resolveStyle?.(first) })
  const recheckOpen = openCircuitRecheck(s)
  return [
    {
      name: 'store',
      check: async () => {
        try {
          await within(ping(), storeTimeoutMs, 'timeout')
          return { ok: true, detail: 'reachable' }
        } catch (err) {
          // The detail is served unauthenticated: the cause goes no further than this summary.
          return { ok: false, detail: timedOut(err) ? `no answer within ${storeTimeoutMs} ms` : 'not reachable' }
        }
      }
    },
    {
      name: 'sinch',
      check: async () => {
        await recheckOpen()
        const circuit = s.circuit?.()
        const failing = circuit === undefined ? null : circuitReadiness(circuit, s.unreadyAfterMs ?? 0, Date.now())
        if (failing !== null) return failing
        const closed = circuit === undefined ? {} : { circuit: circuitView(circuit) }
        const last = s.sinch.lastTokenAt()
        if (last !== null && Date.now() - last < TOKEN_FRESH_MS) return { ok: true, detail: `${circuit === undefined ? '' : 'circuit closed; '}reached recently`, ...closed }
        await probe()
        return { ok: true, detail: `${circuit === undefined ? '' : 'circuit closed; '}reached now`, ...closed }
      }
    },
    {
      name: 'sinch-api-style',
      check: async () => {
        const known = s.sinch.apiStyle?.() ?? null
        if (known !== null) return { ok: true, detail: known }
        if (first === undefined || s.sinch.resolveStyle === undefined) return { ok: true, detail: 'not known yet' }
        // One read-only listing decides it; readiness waits for it like any other first call would.
        await resolveStyle()
        return { ok: true, detail: s.sinch.apiStyle?.() ?? 'not known yet' }
      }
    },
    {
      name: 'reconciler',
      check: async () => {
        const report = s.reconciler.lastReport()
        const since = report === null ? startedAt : Date.parse(report.finishedAt)
        const stuck = Date.now() - since > 3 * s.intervalMs
        return { ok: !stuck, detail: report === null ? (stuck ? 'no reconcile finished since start' : 'first reconcile pending') : `last run ${report.finishedAt}${report.ok ? '' : ' (failed)'}` }
      }
    }
  ]
}
