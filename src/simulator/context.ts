import type { Logger } from 'pino'
import type { Dialect } from './dialect.js'
import type { Faults } from './faults.js'
import type { Clock, Knobs, SimKey } from './options.js'
import type { RateLimiter } from './rate-limit.js'
import type { RequestLog } from './request-log.js'
import type { Signer } from './signing.js'
import type { Member, SimState } from './state.js'

/** Everything the simulator's routes share; one per simulator instance. */
export interface SimContext {
  state: SimState
  dialect: Dialect
  knobs: Knobs
  keys: Map<string, SimKey & { revoked: boolean }>
  clock: Clock
  signer: Signer
  limiter: RateLimiter
  faults: Faults
  log: RequestLog
  logger: Logger | undefined
  initialProjects: string[]
}

/** Invites turn ACTIVE by themselves after autoAcceptMs (evaluated lazily, so no timers to leak). */
export function settle (ctx: SimContext, m: Member): Member {
  const after = ctx.knobs.autoAcceptMs
  if (m.status === 'PENDING' && after !== null && ctx.clock.now() - m.invitedAt >= after) {
    m.status = 'ACTIVE'
    m.updatedAt = m.invitedAt + after
  }
  return m
}
