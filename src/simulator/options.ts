import type { Logger } from 'pino'
import { z } from 'zod'
import { InviteRewriteSchema, RefusedInviteSchema } from './invite-quirks.js'
import { SIM_STYLES } from './dialect.js'

export const BucketSchema = z.object({ capacity: z.number().positive(), refillPerSec: z.number().positive() })
export type Bucket = z.infer<typeof BucketSchema>

export const KeySchema = z.object({
  id: z.string().min(1),
  secret: z.string().min(1),
  ownerCapable: z.boolean().optional().default(false),
  displayName: z.string().optional(),
  /** Projects this key may use; absent = every simulator project. */
  projects: z.array(z.string()).optional()
})
export type SimKey = z.infer<typeof KeySchema>

/** Knobs that may change at run time through POST /__sim/config. */
export const KnobsSchema = z.object({
  tokenLifetimeSec: z.number().int().positive().default(3599),
  bucket: BucketSchema.default({ capacity: 30, refillPerSec: 10 }),
  basicBucket: BucketSchema.default({ capacity: 10, refillPerSec: 3 }),
  unknownProject: z.enum(['403', '404']).default('403'),
  pageTokenTtlSec: z.number().int().positive().default(600),
  autoAcceptMs: z.number().int().nonnegative().nullable().default(null),
  errorShape: z.enum(['google', 'problem', 'text', 'empty']).default('google'),
  omitUserIdOnInvite: z.boolean().default(false),
  includeResourceName: z.boolean().default(true),
  nextPageTokenStyle: z.enum(['empty', 'null', 'absent', 'camel']).default('empty'),
  includeTotalSize: z.boolean().default(false),
  inviteStatus: z.union([z.literal(200), z.literal(201)]).default(201),
  deleteStyle: z.union([z.literal(204), z.literal(200)]).default(204),
  requestLog: z.boolean().default(true),
  inviteEmailRewrite: InviteRewriteSchema.default('none'),
  refuseInvites: z.array(RefusedInviteSchema).default([]),
  /** Refuse member pages larger than this with a 400 (null: the dialect's own maximum). */
  maxPageSize: z.number().int().positive().nullable().default(null),
  /** A broken server: every listing answers the first page whatever page token it is given. */
  ignorePageToken: z.boolean().default(false),
  /** The account's names for the guide's roles (Sinch's dashboard says Administrator, Member, …). */
  roleNames: z.object({ OWNER: z.string().min(1), ADMIN: z.string().min(1), MEMBER: z.string().min(1), READONLY: z.string().min(1) })
    .default({ OWNER: 'OWNER', ADMIN: 'ADMIN', MEMBER: 'MEMBER', READONLY: 'READONLY' })
})
export type Knobs = z.infer<typeof KnobsSchema>

export interface Clock { now (): number }

export const SimulatorOptionsSchema = KnobsSchema.extend({
  /** Which shape of the API to speak (SIMULATOR_API_STYLE): fixed for the simulator's life. */
  apiStyle: z.enum(SIM_STYLES).default('guide'),
  projects: z.array(z.string().min(1)).default(['demo-project']),
  keys: z.array(KeySchema).default([{ id: 'sandbox-key', secret: 'sandbox-secret', ownerCapable: false }]),
  /** Seed for the fault PRNG, so a random-rate fault run can be repeated. */
  seed: z.number().int().default(42)
})
export type SimulatorOptions = z.input<typeof SimulatorOptionsSchema> & {
  clock?: Clock
  logger?: Logger
  /** Keep the account in this JSON file across restarts (sandbox mode); absent = memory only. */
  stateFile?: string
}

export function createManualClock (start = Date.parse('2026-01-01T00:00:00Z')): Clock & { advance (ms: number): void } {
  let t = start
  return { now: () => t, advance: (ms: number) => { t += ms } }
}
