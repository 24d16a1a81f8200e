import type { SinchOperation } from './errors.js'

/**
 * How a whole Sinch call ended (after its retries), as the circuit counts it. Sinch answering at
 * all — even a 400, 404 or 409 — is `ok`: the service is up. A failure is Sinch not doing the work:
 * a 5xx or timeout to the end, no connection, 429s until the retries ran out, credentials refused.
 */
export type CallFailureKind = 'server_error' | 'timeout' | 'connection' | 'rate_limit_exhausted' | 'auth'
export type CallResult =
  | { operation: SinchOperation, ok: true }
  | { operation: SinchOperation, ok: false, kind: CallFailureKind, status: number | null }

export type CircuitState = 'closed' | 'degraded' | 'open'
export const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'degraded', 'open']

export interface CircuitOptions {
  /** How many of the most recent call results are looked at. */
  size?: number
  /** This many failed calls in a row, with no success between them, open the circuit. */
  openAfter?: number
  /** A failure older than this no longer makes the circuit degraded (an open circuit stays open until a success). */
  maxAgeMs?: number
  now?: () => number
}

export interface CircuitSnapshot {
  state: CircuitState
  /** When the circuit entered its state (epoch ms); null while closed since start. */
  since: number | null
  /** When the unbroken run of failures began; null when the last call succeeded. */
  failingSince: number | null
  /** Failed calls among `window` recent ones. */
  recentFailures: number
  window: number
  /** The last failure, described without any text from Sinch (no secret can ride along). */
  lastFailure: { at: number, reason: string } | null
  /** Failed calls since start, by kind. */
  failures: Record<CallFailureKind, number>
}

export const DEFAULT_CIRCUIT = { size: 20, openAfter: 5, maxAgeMs: 5 * 60_000 }

const KIND_TEXT: Record<CallFailureKind, string> = {
  server_error: 'server error',
  timeout: 'timed out',
  connection: 'no connection',
  rate_limit_exhausted: 'rate limited (429) until the retries ran out',
  auth: 'credentials refused (401)'
}

export function describeFailure (r: Extract<CallResult, { ok: false }>): string {
  const status = r.status === null || r.kind === 'rate_limit_exhausted' || r.kind === 'auth' ? '' : ` (${r.status})`
  return `${r.operation}: ${KIND_TEXT[r.kind]}${status}`
}

/**
 * The state of Sinch as the bridge's own calls saw it: closed (working), degraded (some recent
 * calls failed) or open (failing continuously). It only observes; nothing is refused because of
 * it — the queue's backoff already spaces retries. It exists so that /readyz, /metrics and the
 * console say the same thing about Sinch.
 */
export class SinchCircuit {
  private readonly size: number
  private readonly openAfter: number
  private readonly maxAgeMs: number
  private readonly now: () => number
  private readonly recent: Array<{ at: number, ok: boolean }> = []
  private streak = 0
  private failingSince: number | null = null
  private lastFailure: { at: number, reason: string } | null = null
  private state: CircuitState = 'closed'
  private since: number | null = null
  private readonly failures: Record<CallFailureKind, number> = { server_error: 0, timeout: 0, connection: 0, rate_limit_exhausted: 0, auth: 0 }

  constructor (o: CircuitOptions = {}) {
    this.size = o.size ?? DEFAULT_CIRCUIT.size
    this.openAfter = o.openAfter ?? DEFAULT_CIRCUIT.openAfter
    this.maxAgeMs = o.maxAgeMs ?? DEFAULT_CIRCUIT.maxAgeMs
    this.now = o.now ?? Date.now
  }

  record (r: CallResult): void {
    const at = this.now()
    this.recent.push({ at, ok: r.ok })
    if (this.recent.length > this.size) this.recent.shift()
    if (r.ok) {
      this.streak = 0
      this.failingSince = null
    } else {
      this.streak++
      this.failingSince ??= at
      this.failures[r.kind]++
      this.lastFailure = { at, reason: describeFailure(r) }
    }
    this.settle(at)
  }

  snapshot (): CircuitSnapshot {
    const at = this.now()
    this.settle(at)
    return {
      state: this.state,
      since: this.since,
      failingSince: this.failingSince,
      recentFailures: this.fresh(at).filter((r) => !r.ok).length,
      window: this.recent.length,
      lastFailure: this.lastFailure,
      failures: { ...this.failures }
    }
  }

  /** The results still young enough to count for "degraded". */
  private fresh (at: number): Array<{ at: number, ok: boolean }> {
    return this.recent.filter((r) => at - r.at <= this.maxAgeMs)
  }

  /** Degraded ages out with time; open ends only with a success (no calls means no news, not good news). */
  private settle (at: number): void {
    const next: CircuitState = this.streak >= this.openAfter ? 'open' : this.fresh(at).some((r) => !r.ok) ? 'degraded' : 'closed'
    if (next === this.state) return
    this.state = next
    this.since = next === 'open' ? (this.failingSince ?? at) : at
  }
}
