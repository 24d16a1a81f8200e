import type { OpState } from '../domain/op-states.js'
import { addressKey } from '../store/address-key.js'
import type { Op } from './plan.js'

/**
 * Runs in a row in which Sinch accepted the same change and the plan still asked for it again,
 * before the change is parked. One such run is proof enough that Sinch and the bridge disagree
 * (Sinch said yes, yet what it then holds is not what was asked); three rule out a passing race.
 */
export const PARK_AFTER = 3

/** Two ops are "the same change" when a re-plan could not tell them apart. */
export function opSignature (op: Op): string {
  const to = op.kind === 'invite' ? op.role : op.kind === 'role' ? op.to : ''
  return `${op.kind}|${op.projectId}|${addressKey(op.email)}|${to}`
}

function describe (op: Op): string {
  switch (op.kind) {
    case 'invite': return `invite ${op.email} as ${op.role}`
    case 'role': return `change the role of ${op.email} from ${op.from} to ${op.to}`
    case 'adopt': return `adopt ${op.email}`
    default: return `${op.kind} ${op.email}`
  }
}

/** The op state's last error while a change is being retried after a run without progress. */
export function stallDetail (op: Op, run: number): string {
  return `no progress (${run} of ${PARK_AFTER}): Sinch accepted "${describe(op)}" but then still held something else (it may keep the address in another spelling); trying again`
}

/** The op state's last error once it is parked: the text is a function of the op, so a changed plan is tried afresh. */
export function parkedDetail (op: Op): string {
  return `parked: Sinch accepted "${describe(op)}" in ${PARK_AFTER} runs without effect (it may keep the address in another spelling); not tried again until the user's email or access changes`
}

/** How many runs in a row this op has already made no progress, by the op state it left. */
export function stallsSoFar (op: Op, before: OpState | undefined): number {
  if (before?.state !== 'pending' || before.lastError === null) return 0
  for (let run = 1; run < PARK_AFTER; run++) if (before.lastError === stallDetail(op, run)) return run
  return 0
}

export function isParked (op: Op, before: OpState | undefined): boolean {
  return before?.state === 'failed' && before.lastError === parkedDetail(op)
}
