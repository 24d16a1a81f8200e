import type { Logger } from 'pino'
import type { ProvisioningStore, SubjectReader } from '../store/types.js'
import type { SinchPort } from '../provisioning/ports.js'
import { refreshProject, type ProjectRefresh } from './refresh.js'

export interface ReconcileReport {
  startedAt: string
  finishedAt: string
  durationMs: number
  ok: boolean
  error: string | null
  projects: Array<Omit<ProjectRefresh, 'affectedUsers'>>
  /** Users queued for a re-plan: everyone on the first run (rules may have changed), then only
   * those Sinch changed behind the bridge's back and those whose last change failed. */
  queued: number
}

/** How far a run's listing has come: what a terminal shows while 100,000 members are listed. */
export interface ReconcileProgress {
  projectsTotal: number
  /** Projects listed to the end so far. */
  projectsListed: number
  /** The project being listed, null before the first and after the last. */
  project: string | null
  /** Members listed so far, over all projects. */
  membersListed: number
}

export interface RunOptions {
  /** Called at each project boundary and for every member listed; must be cheap (it is not awaited). */
  onProgress?: (p: ReconcileProgress) => void
}

export interface ReconcilerDeps {
  store: ProvisioningStore & SubjectReader
  sinch: SinchPort
  managedProjects: string[]
  logger: Logger
  owner: string
  intervalMs: number
  /** Called after the queue is filled, so the provisioner starts at once. */
  onQueued?: () => void
  onReport?: (r: ReconcileReport) => void
  now?: () => Date
}

export const LAST_REPORT_KEY = 'reconcile.last'
const LEASE = 'reconciler'

export interface Reconciler {
  runOnce (signal?: AbortSignal, opts?: RunOptions): Promise<ReconcileReport>
  start (): void
  stop (): Promise<void>
  isLeader (): boolean
  lastReport (): ReconcileReport | null
  /**
   * Starts a reconcile at once (the admin console's "reconcile now") without waiting for it:
   * 'running' when one is already in flight here (a double submit joins it), 'not-leader' when
   * another replica holds the lease (it alone may reconcile), else 'started'.
   */
  runNow (): Promise<'started' | 'running' | 'not-leader'>
}

/**
 * Full reconcile at start and every interval, on one replica at a time (a lease row in the
 * store). The leader renews at half the interval; a dead leader's lease expires after one
 * interval, so another replica takes over within two.
 */
export function createReconciler (deps: ReconcilerDeps): Reconciler {
  const now = deps.now ?? (() => new Date())
  const log = deps.logger.child({ component: 'reconciler' })
  let leader = false
  let last: ReconcileReport | null = null
  let lastRunAt = 0
  let timer: NodeJS.Timeout | null = null
  let current: Promise<unknown> | null = null
  /** The run in flight, whoever started it (the timer or runNow): never two at once. */
  let inFlight: Promise<void> | null = null
  const abort = new AbortController()
  let replannedEveryone = false

  async function runOnce (signal?: AbortSignal, opts: RunOptions = {}): Promise<ReconcileReport> {
    const started = now()
    const report: ReconcileReport = { startedAt: started.toISOString(), finishedAt: '', durationMs: 0, ok: true, error: null, projects: [], queued: 0 }
    const progress: ReconcileProgress = { projectsTotal: deps.managedProjects.length, projectsListed: 0, project: null, membersListed: 0 }
    const tell = opts.onProgress === undefined ? undefined : (): void => { opts.onProgress?.({ ...progress }) }
    try {
      const affected = new Set<string>()
      for (const p of deps.managedProjects) {
        progress.project = p
        tell?.()
        const onListed = tell === undefined ? undefined : (): void => { progress.membersListed++; tell() }
        const r = await refreshProject(p, deps.sinch, deps.store, now, signal, onListed)
        r.affectedUsers.forEach((u) => affected.add(u))
        const { affectedUsers: _a, ...rest } = r
        report.projects.push(rest)
        progress.projectsListed++
      }
      progress.project = null
      tell?.()
      const failed = await deps.store.failedUserIds()
      const ids = replannedEveryone ? [...new Set([...affected, ...failed])] : await deps.store.listSubjectIds()
      for (let i = 0; i < ids.length; i += 1000) await deps.store.enqueue(ids.slice(i, i + 1000))
      replannedEveryone = true
      report.queued = ids.length
      deps.onQueued?.()
    } catch (err) {
      report.ok = false
      report.error = (err as Error).message
      log.error({ err: report.error }, 'reconcile failed')
    }
    const finished = now()
    report.finishedAt = finished.toISOString()
    report.durationMs = finished.getTime() - started.getTime()
    last = report
    await deps.store.setSetting(LAST_REPORT_KEY, JSON.stringify(report)).catch(() => {})
    deps.onReport?.(report)
    log.info({ ok: report.ok, durationMs: report.durationMs, queued: report.queued, projects: report.projects.map((p) => ({ id: p.projectId, members: p.members, unmanaged: p.unmanagedCount, changedByHand: p.changedByHand })) }, 'reconcile finished')
    return report
  }

  /**
   * Runs a reconcile while holding the lease: a run can outlast one interval (100,000 members),
   * so the lease is renewed as it goes; if another replica took it meanwhile, this run stops.
   */
  function leadRun (): Promise<void> {
    inFlight ??= leadRunOnce().finally(() => { inFlight = null })
    return inFlight
  }

  async function leadRunOnce (): Promise<void> {
    const run = new AbortController()
    const stopRun = (): void => { run.abort() }
    abort.signal.addEventListener('abort', stopRun, { once: true })
    const renew = setInterval(() => {
      deps.store.tryLease(LEASE, deps.owner, deps.intervalMs, now().toISOString()).then((held) => {
        if (held) return
        leader = false
        log.warn('reconciler lease lost during a run; stopping it')
        run.abort()
      }).catch((err: Error) => { log.warn({ err: err.message }, 'reconciler lease renewal failed') })
    }, Math.max(500, Math.floor(deps.intervalMs / 3)))
    try {
      await runOnce(run.signal)
    } finally {
      clearInterval(renew)
      abort.signal.removeEventListener('abort', stopRun)
    }
  }

  async function tick (): Promise<void> {
    try {
      leader = await deps.store.tryLease(LEASE, deps.owner, deps.intervalMs, now().toISOString())
      if (leader && inFlight === null && Date.now() - lastRunAt >= deps.intervalMs) {
        lastRunAt = Date.now()
        await leadRun()
      }
    } catch (err) {
      log.error({ err: (err as Error).message }, 'reconcile tick failed')
    }
  }

  function schedule (): void {
    if (abort.signal.aborted) return
    timer = setTimeout(() => {
      current = tick().finally(schedule)
    }, Math.max(1000, Math.floor(deps.intervalMs / 2)))
  }

  return {
    runOnce,
    isLeader: () => leader,
    lastReport: () => last,
    async runNow () {
      if (inFlight !== null) return 'running'
      if (abort.signal.aborted) return 'not-leader'
      leader = await deps.store.tryLease(LEASE, deps.owner, deps.intervalMs, now().toISOString())
      if (!leader) return 'not-leader'
      if (inFlight !== null) return 'running'
      lastRunAt = Date.now()
      void leadRun().catch(() => {})
      return 'started'
    },
    start () {
      current = tick().finally(schedule)
    },
    async stop () {
      abort.abort()
      if (timer !== null) clearTimeout(timer)
      await current?.catch(() => {})
      await inFlight?.catch(() => {})
      if (leader) await deps.store.releaseLease(LEASE, deps.owner).catch(() => {})
      leader = false
    }
  }
}
