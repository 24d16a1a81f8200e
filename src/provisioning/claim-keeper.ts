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
  const held = new Set<string>()
  const lost = new Set<string>()
  let first: Promise<void> | null = null
  let inFlight: Promise<void> | null = null
  let timer: NodeJS.Timeout | null = null

  async function beat (): Promise<void> {
    const userIds = [...held]
    const kept = new Set(await opts.store.heartbeat(opts.owner, { startedAt, now: new Date().toISOString(), ttlMs, leaseMs: opts.leaseMs, userIds }))
    for (const id of userIds) {
      if (kept.has(id) || !held.has(id)) continue
      lost.add(id)
      log.warn({ userId: id }, 'queue claim taken over by another process; its run stops before the next Sinch write')
    }
  }

  function tick (): void {
    if (inFlight !== null) return
    inFlight = beat()
      .catch((err: Error) => { log.warn({ err: err.message }, 'queue heartbeat failed') })
      .finally(() => { inFlight = null })
  }

  return {
    async ready () {
      first ??= beat().then(() => {
        timer ??= setInterval(tick, beatMs)
      }, (err: unknown) => {
        first = null
        throw err
      })
      await first
    },
    hold (userId) {
      held.add(userId)
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
      await inFlight
      const started = first !== null
      first = null
      held.clear()
      lost.clear()
      if (started) await opts.store.releaseOwner(opts.owner).catch((err: Error) => { log.warn({ err: err.message }, 'releasing queue claims failed') })
    }
  }
}
