import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'
import type { SimState, StateSnapshot } from './state.js'

/**
 * The sandbox's simulator keeps its account in one JSON file beside the database, so a restart
 * neither re-invites everyone nor forgets who accepted (issue 16). Writes are debounced (a burst
 * of invites is one write) and atomic (temp file + rename: a crash leaves the old or the new file).
 */
const MemberSchema = z.object({
  seq: z.number().int(),
  userId: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: z.string(),
  status: z.enum(['PENDING', 'ACTIVE', 'SUSPENDED']),
  projectId: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  invitedAt: z.number()
})
const FileSchema = z.object({
  format: z.literal('sinch-scim-bridge/simulator-state@1'),
  seq: z.number().int().nonnegative(),
  userIds: z.record(z.string(), z.string()),
  projects: z.record(z.string(), z.array(MemberSchema))
})

export interface StatePersistence {
  /** Something may have changed: write within debounceMs. */
  touch (): void
  /** Write now if anything is pending, and stop the timer (on close). */
  flush (): void
}

export class SimulatorStateFileError extends Error {
  readonly code = 'SIMULATOR_STATE_INVALID'
}

/** Loads `file` into `state` if it exists (a damaged file stops start-up rather than silently starting empty). */
export function createStatePersistence (file: string, state: SimState, debounceMs = 250): StatePersistence {
  if (existsSync(file)) {
    let raw: unknown
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'))
    } catch (err) {
      throw new SimulatorStateFileError(`${file}: not a simulator state file (not JSON); move it away to start empty`, { cause: err })
    }
    const parsed = FileSchema.safeParse(raw)
    if (!parsed.success) throw new SimulatorStateFileError(`${file}: not a simulator state file (${parsed.error.issues[0]?.message ?? 'invalid'}); move it away to start empty`, { cause: parsed.error })
    const { format: _format, ...snap } = parsed.data
    state.restore(snap as StateSnapshot)
  }
  let timer: NodeJS.Timeout | null = null
  const write = (): void => {
    timer = null
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify({ format: 'sinch-scim-bridge/simulator-state@1', ...state.snapshot() }), { mode: 0o600 })
    renameSync(tmp, file)
  }
  return {
    touch () {
      if (timer === null) timer = setTimeout(write, debounceMs)
    },
    flush () {
      if (timer === null) return
      clearTimeout(timer)
      write()
    }
  }
}
