import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { CIRCUIT_STATES, type CircuitSnapshot } from '../sinch/circuit.js'
import type { DocumentStats } from '../store/directory-store.js'

export interface MetricsSources {
  queueDepth: () => Promise<{ depth: number, oldestEnqueuedAt: string | null }>
  driftCount: () => Promise<number>
  /** Failed calls handed back unretried because the client's retry budget was spent. */
  retriesRefused?: () => number
  /** The Sinch circuit (sinch/circuit.ts). */
  circuit?: () => CircuitSnapshot
  /** The store's kept user documents, where it keeps them (SQLite). */
  documents?: () => DocumentStats
}

/** One registry per bridge (tests build several in one process; a global registry would collide). */
export function createMetrics () {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'bridge_process_' })
  const httpRequests = new Histogram({
    name: 'bridge_http_request_duration_seconds',
    help: 'HTTP requests served, by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry]
  })
  const sinchCalls = new Counter({
    name: 'bridge_sinch_calls_total',
    help: 'Calls to the Sinch API by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry]
  })
  const sinchCallDuration = new Histogram({
    name: 'bridge_sinch_call_duration_seconds',
    help: 'Latency of Sinch API calls by operation',
    labelNames: ['operation'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry]
  })
  const changes = new Counter({
    name: 'bridge_sinch_changes_total',
    help: 'Membership changes the bridge made or tried, by action and outcome',
    labelNames: ['action', 'outcome'] as const,
    registers: [registry]
  })
  // 1 for the Sinch API style in use (issue 13): an operator sees which shape the account speaks.
  const sinchApiStyle = new Gauge({ name: 'bridge_sinch_api_style', help: 'The Sinch API style in use (1), by style', labelNames: ['style'] as const, registers: [registry] })
  const reconcileDuration = new Gauge({ name: 'bridge_reconcile_duration_seconds', help: 'Duration of the last reconcile', registers: [registry] })
  const reconcileLastSuccess = new Gauge({ name: 'bridge_reconcile_last_success_timestamp_seconds', help: 'When the last successful reconcile finished', registers: [registry] })
  const sources: { current: MetricsSources | null } = { current: null }
  // Queue figures are read at scrape time so they are never stale and cost nothing between scrapes.
  new Gauge({
    name: 'bridge_queue_depth',
    help: 'Users waiting for provisioning',
    registers: [registry],
    async collect () { this.set((await sources.current?.queueDepth())?.depth ?? 0) }
  })
  new Gauge({
    name: 'bridge_queue_oldest_age_seconds',
    help: 'Age of the oldest pending provisioning entry',
    registers: [registry],
    async collect () {
      const oldest = (await sources.current?.queueDepth())?.oldestEnqueuedAt ?? null
      this.set(oldest === null ? 0 : Math.max(0, (Date.now() - Date.parse(oldest)) / 1000))
    }
  })
  new Gauge({
    name: 'bridge_drift_members',
    help: 'Members in managed projects the bridge does not manage (last reconcile)',
    registers: [registry],
    async collect () { this.set(await sources.current?.driftCount() ?? 0) }
  })
  new Counter({
    name: 'bridge_sinch_retries_refused_total',
    help: 'Failed Sinch calls not retried at once because the client-wide retry budget was spent (Sinch failing widely)',
    registers: [registry],
    collect () {
      this.reset()
      this.inc(sources.current?.retriesRefused?.() ?? 0)
    }
  })
  // One series per state, 1 for the current one: alert on bridge_sinch_circuit_state{state="open"} == 1.
  new Gauge({
    name: 'bridge_sinch_circuit_state',
    help: 'The Sinch circuit: 1 for the current state (closed, degraded or open), 0 for the others',
    labelNames: ['state'] as const,
    registers: [registry],
    collect () {
      const state = sources.current?.circuit?.().state ?? 'closed'
      for (const s of CIRCUIT_STATES) this.set({ state: s }, s === state ? 1 : 0)
    }
  })
  new Gauge({
    name: 'bridge_sinch_circuit_recent_failures',
    help: 'Failed Sinch calls among the recent ones the circuit looks at',
    registers: [registry],
    collect () { this.set(sources.current?.circuit?.().recentFailures ?? 0) }
  })
  new Counter({
    name: 'bridge_sinch_call_failures_total',
    help: 'Sinch calls that failed after their retries, by kind (server_error, timeout, connection, rate_limit_exhausted, auth)',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect () {
      this.reset()
      for (const [kind, n] of Object.entries(sources.current?.circuit?.().failures ?? {})) this.inc({ kind }, n)
    }
  })
  new Counter({
    name: 'bridge_user_documents_total',
    help: 'User reads served from a kept document or rendered from the view, and rendered documents kept, not kept because the user changed first, or not kept because the database refused (SQLite only)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect () {
      this.reset()
      const s = sources.current?.documents?.()
      if (s !== undefined) for (const [outcome, n] of Object.entries(s)) this.inc({ outcome }, n)
    }
  })
  return {
    registry,
    httpRequests,
    sinchCalls,
    sinchCallDuration,
    changes,
    sinchApiStyle,
    reconcileDuration,
    reconcileLastSuccess,
    setSources (s: MetricsSources) { sources.current = s }
  }
}

export type Metrics = ReturnType<typeof createMetrics>
