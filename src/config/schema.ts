import { z } from 'zod'

export const ROLES = ['READONLY', 'MEMBER', 'ADMIN', 'OWNER'] as const
export const RoleSchema = z.enum(ROLES)
export type Role = z.infer<typeof RoleSchema>

/** ADOPT_EXISTING: whether a Sinch member the bridge did not create may be taken over (see provisioning/adoption.ts). */
export const ADOPT_POLICIES = ['never', 'same-or-lower-role', 'always'] as const
export type AdoptPolicy = typeof ADOPT_POLICIES[number]

const bool = (def: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', ''].includes(v), 'must be true or false')
    .transform((v) => (v === '' ? def : ['true', '1', 'yes'].includes(v)))
    .optional()
    .transform((v) => v ?? def)

const list = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0))

const projectId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'project ids are letters, digits, - and _')

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .optional()
    .transform((v) => v ?? def)

/**
 * SINCH_ROLE_MAP=ADMIN=Administrator,MEMBER=Member,READONLY=Limited member: the account's names
 * for the bridge's roles (issue 13, item 6). Unmapped roles keep the guide's names.
 */
const roleMap = z
  .string()
  .transform((v, ctx) => {
    const out: Partial<Record<Role, string>> = {}
    for (const pair of v.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const i = pair.indexOf('=')
      const role = RoleSchema.safeParse(pair.slice(0, Math.max(0, i)).trim().toUpperCase())
      const name = pair.slice(i + 1).trim()
      if (i < 1 || !role.success || name === '') {
        ctx.addIssue({ code: 'custom', message: `"${pair}" is not ROLE=name with ROLE one of ${ROLES.join(', ')}` })
        return z.NEVER
      }
      if (Object.values(out).some((n) => n.toLowerCase() === name.toLowerCase())) {
        ctx.addIssue({ code: 'custom', message: `"${name}" is mapped twice: each role needs its own name` })
        return z.NEVER
      }
      out[role.data] = name
    }
    return out
  })

const url = z.string().trim().url({ message: 'must be an absolute URL', abort: true }).refine((v) => /^https?:\/\//.test(v), 'must be http(s)')

/**
 * The whole configuration contract (shared/DESIGN.md). Every value arrives as a string from the
 * environment; absent values take the defaults below. Sandbox mode is "no Sinch key".
 */
export const EnvSchema = z
  .object({
    PORT: int(8080, 0, 65535),
    HOST: z.string().trim().min(1).optional().default('0.0.0.0'),
    SCIM_BASE_PATH: z
      .string()
      .trim()
      .regex(/^\/[A-Za-z0-9/_.-]*$/, 'must start with / and hold only path characters')
      .transform((v) => (v.length > 1 ? v.replace(/\/+$/, '') : v))
      .optional()
      .default('/scim/v2'),
    SCIM_BEARER_TOKEN: list
      .pipe(z.array(z.string().min(16, 'each token must be at least 16 characters')))
      .optional(),
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    SINCH_KEY_ID: z.string().trim().min(1).optional(),
    SINCH_KEY_SECRET: z.string().min(1).optional(),
    SINCH_AUTH_MODE: z.enum(['oauth', 'basic']).optional().default('oauth'),
    SINCH_REGION: z.enum(['us', 'eu']).optional().default('us'),
    SINCH_API_URL: url.optional(),
    SINCH_AUTH_URL: url.optional(),
    SINCH_API_STYLE: z.enum(['auto', 'guide', 'v1'], { message: 'must be auto, guide or v1' }).optional().default('auto'),
    SINCH_ROLE_MAP: roleMap.optional(),
    // How long the Sinch circuit may stay open (every call failing) before /readyz answers 503; 0 never.
    SINCH_UNREADY_AFTER_SECONDS: int(120, 0, 7 * 24 * 3600),
    SIMULATOR_API_STYLE: z.enum(['guide', 'v1'], { message: 'must be guide or v1' }).optional().default('guide'),
    SINCH_PROJECT_IDS: list.pipe(z.array(projectId)).optional(),
    SINCH_DEFAULT_PROJECT_IDS: list.pipe(z.array(projectId)).optional(),
    SINCH_DEFAULT_ROLE: z.string().trim().toUpperCase().pipe(RoleSchema).optional().default('MEMBER'),
    MAPPING_FILE: z.string().trim().min(1).optional(),
    ALLOW_OWNER: bool(false),
    DEACTIVATE_ACTION: z.enum(['remove', 'suspend', 'readonly']).optional().default('remove'),
    ADOPT_EXISTING: z.enum(ADOPT_POLICIES).optional().default('same-or-lower-role'),
    DATABASE_URL: z
      .string()
      .trim()
      .refine((v) => /^sqlite:.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v), 'must be sqlite:<path> or postgres://…')
      .optional()
      .default('sqlite:./data/bridge.db'),
    // How long to wait for the database before a request answers 503: a connection (PostgreSQL)
    // or the write lock (SQLite busy_timeout); one statement on PostgreSQL (statement_timeout).
    DATABASE_CONNECT_TIMEOUT_MS: int(5_000, 100, 600_000),
    DATABASE_STATEMENT_TIMEOUT_MS: int(10_000, 100, 3_600_000),
    DATA_DIR: z.string().trim().min(1).optional().default('./data'),
    RECONCILE_INTERVAL: z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number)
      .pipe(z.number().int().min(5, 'must be at least 5').max(7 * 24 * 3600, 'must be at most 604800')).optional(),
    TRUST_PROXY: bool(false),
    MAX_CONNECTIONS: int(1024, 1, 1_000_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),
    AUDIT_RETENTION_DAYS: int(365, 1, 36500),
    QUEUE_CLAIM_SECONDS: int(30, 5, 3600),
    PROVISION_WAIT_MS: int(8000, 0, 60_000),
    SINCH_PROJECTS_AT_ONCE: int(4, 1, 32),
    SANDBOX_AUTO_ACCEPT_MS: int(30_000, 0, 24 * 3600 * 1000)
  })

export type Env = z.infer<typeof EnvSchema>

const split = (v: string | undefined): string[] | undefined =>
  v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s.length > 0)

/**
 * Rules across variables. They read the raw strings so they run even when another variable is
 * malformed: an admin sees every problem in one start-up, not one per attempt.
 */
export function crossCheck (raw: Record<string, string>): Array<{ key: string, message: string }> {
  const out: Array<{ key: string, message: string }> = []
  const hasId = raw.SINCH_KEY_ID !== undefined
  const hasSecret = raw.SINCH_KEY_SECRET !== undefined
  if (hasId !== hasSecret) {
    out.push({ key: hasId ? 'SINCH_KEY_SECRET' : 'SINCH_KEY_ID', message: 'is required when the other half of the Sinch key is set' })
  }
  const managed = split(raw.SINCH_PROJECT_IDS)
  if (hasId && hasSecret && (managed === undefined || managed.length === 0)) {
    out.push({ key: 'SINCH_PROJECT_IDS', message: 'is required with a Sinch key: list the projects the bridge manages' })
  }
  if (hasId && hasSecret && raw.SCIM_BEARER_TOKEN === undefined) {
    out.push({ key: 'SCIM_BEARER_TOKEN', message: 'is required with a Sinch key: set it or SCIM_BEARER_TOKEN_FILE, or run "sinch-scim-bridge token" to create <DATA_DIR>/scim-token (only sandbox mode generates one by itself)' })
  }
  if (managed !== undefined) {
    for (const p of split(raw.SINCH_DEFAULT_PROJECT_IDS) ?? []) {
      if (!managed.includes(p)) out.push({ key: 'SINCH_DEFAULT_PROJECT_IDS', message: `project "${p}" is not in SINCH_PROJECT_IDS` })
    }
  }
  const allowOwner = ['true', '1', 'yes'].includes((raw.ALLOW_OWNER ?? '').trim().toLowerCase())
  if ((raw.SINCH_DEFAULT_ROLE ?? '').trim().toUpperCase() === 'OWNER' && !allowOwner) {
    out.push({ key: 'SINCH_DEFAULT_ROLE', message: 'OWNER needs ALLOW_OWNER=true' })
  }
  return out
}
