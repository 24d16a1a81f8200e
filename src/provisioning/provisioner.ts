import type { Logger } from 'pino'
import type { ProvisioningStore, QueueEntry } from '../store/types.js'
import { createClaimKeeper } from './claim-keeper.js'
import { ClaimLostError } from './claim-lost-error.js'
import type { Executor, UserOutcome } from './executor.js'
import type { ApplyOptions, PermanentRejection, ProvisioningHook } from './hook.js'

const CLAIM_POLL_MS = 50

export interface ProvisionerOptions {
  executor: Executor
  store: ProvisioningStore
  logger: Logger
  /** Names this process in queue claims, so a dead replica's claims expire and are taken over. */
  owner: string
  /** How long the SCIM request waits for Sinch before answering with the durable state alone. */
  requestBudgetMs?: number
  pollMs?: number
  batch?: number
  concurrency?: number
  /** How long a claim lasts without renewal; the heartbeat renews it while its run goes on. */
  claimLeaseMs?: number
  /** How often the heartbeat beats (tests); a process is counted dead after five missed beats. */
  heartbeatMs?: number
  backoff?: { baseMs: number, capMs: number }
  random?: () => number
  /**
   * The background loop leaves a change this long after it fell due, so the SCIM request that
   * queued it claims it first: that request waits for the outcome and may undo a refused write.
   * Taken by the loop instead, a refusal would reach the IdP as a success.
   */
  requestFirstMs?: number
}

export interface Provisioner extends ProvisioningHook {
  start (): void
  stop (): Promise<void>
  /** Runs the queue until nothing is due (tests, the reconcile command). */
  drain (): Promise<void>
  wake (): void
}

/**
 * Runs users' plans: at once for the SCIM request (applyNow) and from the durable queue in the
 * background. One user is never planned twice at the same time in this process: both paths
 * share a per-user lock, so a retry can never race an in-flight invite.
 */
export function createProvisioner (opts: ProvisionerOptions): Provisioner {
  const log = opts.logger.child({ component: 'provisioner' })
  const budget = opts.requestBudgetMs ?? 8_000
  const pollMs = opts.pollMs ?? 1_000
  const batch = opts.batch ?? 512
  const concurrency = opts.concurrency ?? 256
  const leaseMs = opts.claimLeaseMs ?? 30_000
  const requestFirstMs = opts.requestFirstMs ?? 2_000
  const claims = createClaimKeeper({ store: opts.store, owner: opts.owner, leaseMs, logger: opts.logger, ...(opts.heartbeatMs === undefined ? {} : { beatMs: opts.heartbeatMs }) })
  const backoff = opts.backoff ?? { baseMs: 2_000, capMs: 300_000 }
  const random = opts.random ?? Math.random
  const running = new Map<string, Promise<UserOutcome>>()
  let timer: NodeJS.Timeout | null = null
  let loop: Promise<void> | null = null
  let stopped = true
  let closing = false
  let wakeUp: (() => void) | null = null

  /** One run at a time per user; with `undo`, the rejected run, the undo and the re-run form one step. */
  function runLocked (userId: string, undo?: () => Promise<void>): Promise<UserOutcome> {
    const prev = running.get(userId) ?? Promise.resolve(null)
    const next = prev.catch(() => null).then(async () => {
      const stillHolds = async (): Promise<boolean> => await claims.stillHolds(userId)
      const outcome = await opts.executor.runUser(userId, { stopOnRejection: undo !== undefined, stillHolds })
      if (undo === undefined || outcome.rejections.length === 0) return outcome
      await undo()
      const takenBack = await opts.executor.runUser(userId, { stillHolds })
      // A take-back that failed for now stays queued: what Sinch accepted must not keep access.
      if (takenBack.status === 'retry') return { ...outcome, status: 'retry' as const, error: takenBack.error }
      return outcome
    })
    running.set(userId, next)
    void next.finally(() => { if (running.get(userId) === next) running.delete(userId) }).catch(() => {})
    return next
  }

  /**
   * The request path runs a user's queued change at once, but only while holding its queue claim,
   * the same claim every queue worker of every replica takes: two replicas never plan one user at
   * the same time (a plan made before a deactivation could otherwise invite after the removal).
   * While another holds the claim, wait for it (it is finishing an older change); nothing queued
   * means nothing to do.
   */
  async function claimAndRun (userId: string, undo: (() => Promise<void>) | undefined, giveUp: () => boolean): Promise<UserOutcome | null> {
    for (;;) {
      const entry = await opts.store.claimUser(userId, new Date().toISOString(), opts.owner, leaseMs)
      if (entry === null) return null
      if (entry !== 'claimed') {
        claims.hold(entry.userId)
        return await runClaimed(entry, undo)
      }
      if (giveUp() || closing) return null
      await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS))
    }
  }

  async function applyNow (userIds: string[], options: ApplyOptions = {}): Promise<PermanentRejection[]> {
    let answered = false
    const { undo } = options
    // Past the budget the IdP has its 2xx: an undo then would contradict the answer.
    const guardedUndo = undo === undefined ? undefined : async (): Promise<void> => { if (!answered) await undo() }
    const work = Promise.all(userIds.map(async (id) => await claimAndRun(id, guardedUndo, () => answered)))
    let timeout: NodeJS.Timeout | undefined
    const late = new Promise<null>((resolve) => { timeout = setTimeout(() => { answered = true; resolve(null) }, budget) })
    try {
      const outcomes = await Promise.race([work, late])
      // Past the budget the write is still durable and queued: the IdP gets its 2xx now.
      return outcomes === null ? [] : outcomes.flatMap((o) => o?.rejections ?? [])
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'immediate provisioning failed; left queued')
      return []
    } finally {
      clearTimeout(timeout)
    }
  }

  function delayFor (attempts: number): number {
    const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(attempts, 20))
    return Math.max(backoff.baseMs / 2, Math.floor(random() * ceiling))
  }

  /**
   * Runs a claimed entry (held by the heartbeat meanwhile) and settles it: done or rejected leave
   * the queue, transient failures back off. A run whose claim was taken over settles nothing: the
   * entry belongs to the new holder, which re-plans it.
   */
  async function runClaimed (entry: QueueEntry, undo?: () => Promise<void>): Promise<UserOutcome> {
    const retryAt = (): string => new Date(Date.now() + delayFor(entry.attempts)).toISOString()
    try {
      let outcome: UserOutcome
      try {
        // Beat after claiming, not before: an idle process writes nothing, and the request path's
        // claim follows its write at once. Should another process take the claim in between (this
        // owner's row had expired while idle), the beat sees it and the run stops before writing.
        await claims.ready()
        outcome = await runLocked(entry.userId, undo)
      } catch (err) {
        if (err instanceof ClaimLostError) {
          log.warn({ userId: entry.userId }, 'queue claim lost mid-run; left to its new holder')
          return { status: 'retry', rejections: [], notes: [], error: err.message }
        }
        log.error({ userId: entry.userId, err: (err as Error).message }, 'provisioning run crashed; will retry')
        await opts.store.retryLater(entry.userId, retryAt(), 'internal error').catch(() => {})
        throw err
      }
      if (outcome.status === 'retry') await opts.store.retryLater(entry.userId, retryAt(), outcome.error ?? 'transient')
      else await opts.store.complete(entry.userId, entry.generation)
      return outcome
    } finally {
      claims.release(entry.userId)
    }
  }

  /** The queue's runs in flight in this process, whichever call of processBatch started them. */
  const active = new Set<Promise<void>>()
  const refillAt = Math.max(1, Math.floor(concurrency / 4))

  /**
   * Claims what is due and starts it, at most `concurrency` users running at once: the workers are
   * topped up whenever a quarter of them is free, until nothing more is due, and the runs go on
   * after it returns. With a remote Sinch each run waits on the network; a batch that waited for
   * its slowest user left most workers, and Sinch's budget, idle (bench/backlog), and a straggler
   * held back work queued behind it. `holdBackMs`: only what fell due at least that long ago (the
   * background loop; see requestFirstMs). Returns how many it claimed.
   */
  async function processBatch (holdBackMs = 0): Promise<number> {
    let claimed = 0
    while (!closing) {
      const room = concurrency - active.size
      if (room < refillAt) {
        await Promise.race(active)
        continue
      }
      // An earlier "now" and a longer lease by as much: the claim still lasts leaseMs from now.
      const due = await opts.store.claimDue(new Date(Date.now() - holdBackMs).toISOString(), Math.min(batch, room), opts.owner, leaseMs + holdBackMs)
      claimed += due.length
      for (const entry of due) {
        claims.hold(entry.userId)
        const run: Promise<void> = runClaimed(entry).then(() => {}, () => {}).finally(() => { active.delete(run) })
        active.add(run)
      }
      if (due.length < Math.min(batch, room)) break
    }
    return claimed
  }

  async function runLoop (): Promise<void> {
    while (!stopped) {
      let n = 0
      try {
        n = await processBatch(requestFirstMs)
      } catch (err) {
        log.error({ err: (err as Error).message }, 'queue poll failed')
      }
      if (n > 0 || stopped) continue
      await new Promise<void>((resolve) => {
        wakeUp = resolve
        timer = setTimeout(resolve, pollMs)
      })
      wakeUp = null
      if (timer !== null) clearTimeout(timer)
      timer = null
    }
  }

  return {
    applyNow,
    wake: () => wakeUp?.(),
    start () {
      if (!stopped) return
      stopped = false
      loop = runLoop()
    },
    async stop () {
      stopped = true
      closing = true
      wakeUp?.()
      await loop
      loop = null
      // The queue's runs outlive the loop's last poll: each still settles its entry (complete or retry).
      await Promise.allSettled([...active])
      await Promise.allSettled([...running.values()])
      await claims.stop()
    },
    async drain () {
      // Until nothing is due and nothing runs: a run may queue others (a freed address wakes its waiters).
      while (await processBatch() > 0 || active.size > 0) await Promise.allSettled([...active])
      await Promise.allSettled([...running.values()])
    }
  }
}
