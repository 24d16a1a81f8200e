import type { Logger } from 'pino'
import type { ProvisioningStore } from '../store/types.js'

/** How often a claiming process beats; it is counted dead after OWNER_TTL_BEATS missed beats. */
const DEFAULT_BEAT_MS = 1_000
const OWNER_TTL_BEATS = 5

export interface ClaimKeeperOptions {
  store: Pick<ProvisioningStore, 'heartbeat' | 'holdsClaim' | 'releaseOwner'>
  owner: string
  leaseMs: number
  logger: Logger
  beatMs?: number
}

export interface ClaimKeeper {
  /** Before every claim: the owner row must be fresh, or another process could judge the new claim dead. */
  ready (): Promise<void>
  /** A claim this process now holds: renewed by every beat until `release`. */
  hold (userId: string): void
  release (userId: string): void
  /** Checked before each Sinch write: false once the claim was taken over or its lease ran out. */
  stillHolds (userId: string): Promise<boolean>
  /** Stops beating and frees every claim still held, so no other process waits for them. */
  stop (): Promise<void>
}

/**
 * The heartbeat of one claiming process (issue: a crashed process's claims held queued offboarding
 * back for a whole lease; a slow Sinch call outlived its lease and a second replica invited the
 * same user). Every beat keeps this owner alive for OWNER_TTL_BEATS beats and renews the lease of
 * each claim it is working on, so a lease need only outlast a stalled process, not the slowest
 * run, and a dead process's work is taken over seconds after its last beat.
 */
export function createClaimKeeper (opts: ClaimKeeperOptions): ClaimKeeper {
  const log = opts.logger.child({ component: 'claims' })
  // Renew well inside the lease: at least three chances before a held claim could run out.
  const beatMs = opts.beatMs ?? Math.min(DEFAULT_BEAT_MS, Math.floor(opts.leaseMs / 3))
  const ttlMs = beatMs * OWNER_TTL_BEATS
  const startedAt = new Date().toISOString()
  /** Each hold gets its own number, so a beat's answer about an earlier hold of the same user is ignored. */
  const held = new Map<string, number>()
  const lost = new Set<string>()
  let holds = 0
  let lastBeat = Number.NEGATIVE_INFINITY
  let registered = false
  let inFlight: Promise<void> | null = null
  let timer: NodeJS.Timeout | null = null

  async function beat (): Promise<void> {
    const snapshot = [...held]
    const now = Date.now()
    const kept = new Set(await opts.store.heartbeat(opts.owner, { startedAt, now: new Date(now).toISOString(), ttlMs, leaseMs: opts.leaseMs, userIds: snapshot.map(([id]) => id) }))
    lastBeat = now
    registered = true
    for (const [id, n] of snapshot) {
      if (kept.has(id) || held.get(id) !== n) continue
      lost.add(id)
      log.warn({ userId: id }, 'queue claim taken over by another process; its run stops before the next Sinch write')
    }
  }

  /** One beat at a time: a slow database must not pile beats up. */
  async function beatOnce (): Promise<void> {
    inFlight ??= beat().finally(() => { inFlight = null })
    await inFlight
  }

  // An idle process beats nothing: no claim depends on it, and `ready` beats before the next claim.
  function tick (): void {
    if (held.size === 0 || inFlight !== null) return
    beatOnce().catch((err: Error) => { log.warn({ err: err.message }, 'queue heartbeat failed') })
  }

  return {
    async ready () {
      timer ??= setInterval(tick, beatMs)
      if (Date.now() - lastBeat >= beatMs) await beatOnce()
    },
    hold (userId) {
      held.set(userId, ++holds)
      lost.delete(userId)
    },
    release (userId) {
      held.delete(userId)
      lost.delete(userId)
    },
    async stillHolds (userId) {
      if (lost.has(userId)) return false
      return await opts.store.holdsClaim(userId, opts.owner, new Date().toISOString())
    },
    async stop () {
      if (timer !== null) clearInterval(timer)
      timer = null
      await inFlight?.catch(() => {})
      held.clear()
      lost.clear()
      lastBeat = Number.NEGATIVE_INFINITY
      if (!registered) return
      registered = false
      await opts.store.releaseOwner(opts.owner).catch((err: Error) => { log.warn({ err: err.message }, 'releasing queue claims failed') })
    }
  }
}
