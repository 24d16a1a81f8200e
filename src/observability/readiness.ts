/** One named check of /readyz (served by http/ops-routes.ts). */
export interface ReadinessCheck {
  name: string
  check: () => Promise<{ ok: boolean, detail: string }>
}

export interface ReadinessSources {
  store: { ping (): Promise<void> }
  sinch: { lastTokenAt (): number | null, fetchToken (): Promise<void>, apiStyle?: () => string | null, resolveStyle?: (projectId: string) => Promise<{ style: string }> }
  /** The first is probed for the API style when none is known yet. */
  managedProjects?: string[]
  reconciler: { lastReport (): { finishedAt: string, ok: boolean } | null }
  intervalMs: number
  startedAt?: number
}

const TOKEN_FRESH_MS = 60 * 60 * 1000

/**
 * /readyz: the store answers, Sinch handed us a token within the hour (one is fetched if not),
 * and the reconciler finished a run within three intervals of now (or of start-up).
 */
export function createReadiness (s: ReadinessSources): ReadinessCheck[] {
  const startedAt = s.startedAt ?? Date.now()
  let tokenProbe: Promise<void> | null = null
  let styleProbe: Promise<void> | null = null
  return [
    {
      name: 'store',
      check: async () => {
        await s.store.ping()
        return { ok: true, detail: 'reachable' }
      }
    },
    {
      name: 'sinch',
      check: async () => {
        const last = s.sinch.lastTokenAt()
        if (last !== null && Date.now() - last < TOKEN_FRESH_MS) return { ok: true, detail: 'token obtained recently' }
        // One probe at a time: a load balancer polling /readyz must not hammer the token endpoint.
        tokenProbe ??= s.sinch.fetchToken().finally(() => { tokenProbe = null })
        await tokenProbe
        return { ok: true, detail: 'token obtained' }
      }
    },
    {
      name: 'sinch-api-style',
      check: async () => {
        const known = s.sinch.apiStyle?.() ?? null
        if (known !== null) return { ok: true, detail: known }
        const first = s.managedProjects?.[0]
        if (first === undefined || s.sinch.resolveStyle === undefined) return { ok: true, detail: 'not known yet' }
        // One read-only listing decides it; readiness waits for it like any other first call would.
        styleProbe ??= s.sinch.resolveStyle(first).then(() => undefined).finally(() => { styleProbe = null })
        await styleProbe
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
