import type { Env, Role } from './schema.js'

export const SANDBOX_PROJECT_IDS = ['demo-project', 'demo-sandbox'] as const

/**
 * The configuration the rest of the product reads: resolved, typed, with secrets kept apart. Its
 * type is what this returns (Config below), so the zod schema (schema.ts) is the one source of
 * every field's type.
 */
export function toConfig (env: Env) {
  const sandbox = env.SINCH_KEY_ID === undefined
  const managed = env.SINCH_PROJECT_IDS ?? (sandbox ? [...SANDBOX_PROJECT_IDS] : [])
  const region = env.SINCH_REGION
  return {
    port: env.PORT,
    host: env.HOST,
    scimBasePath: env.SCIM_BASE_PATH,
    /** Empty in sandbox mode until the token file is read or generated. */
    scimTokens: env.SCIM_BEARER_TOKEN ?? [],
    adminToken: env.ADMIN_TOKEN,
    metricsToken: env.METRICS_TOKEN,
    sandbox,
    sinch: {
      keyId: env.SINCH_KEY_ID ?? 'sandbox-key',
      keySecret: env.SINCH_KEY_SECRET ?? 'sandbox-secret',
      authMode: env.SINCH_AUTH_MODE,
      region,
      /** Undefined in sandbox mode: the in-process simulator's address is known only once it listens. */
      apiUrl: env.SINCH_API_URL ?? (sandbox ? undefined : `https://${region}.api.sinch.com`),
      authUrl: env.SINCH_AUTH_URL ?? (sandbox ? undefined : 'https://auth.sinch.com/oauth2/token'),
      /** auto: detect guide or v1 on the first listing (issue 13). */
      apiStyle: env.SINCH_API_STYLE,
      roleMap: env.SINCH_ROLE_MAP ?? ({} satisfies Partial<Record<Role, string>>),
      /** Not ready once every Sinch call has failed for this long (0: Sinch never makes the bridge unready). */
      unreadyAfterSeconds: env.SINCH_UNREADY_AFTER_SECONDS
    },
    /** The style the bundled simulator speaks (sandbox mode and `simulate`). */
    simulatorApiStyle: env.SIMULATOR_API_STYLE,
    projects: {
      managed,
      defaults: env.SINCH_DEFAULT_PROJECT_IDS ?? managed,
      defaultRole: env.SINCH_DEFAULT_ROLE
    },
    mappingFile: env.MAPPING_FILE,
    allowOwner: env.ALLOW_OWNER,
    deactivateAction: env.DEACTIVATE_ACTION,
    adoptExisting: env.ADOPT_EXISTING,
    databaseUrl: env.DATABASE_URL,
    /** Milliseconds: waiting for a connection or SQLite's write lock; one PostgreSQL statement. */
    databaseTimeouts: { connectMs: env.DATABASE_CONNECT_TIMEOUT_MS, statementMs: env.DATABASE_STATEMENT_TIMEOUT_MS },
    dataDir: env.DATA_DIR,
    // The sandbox reconciles often so a newcomer sees an accepted invite turn ACTIVE within seconds.
    reconcileIntervalSeconds: env.RECONCILE_INTERVAL ?? (sandbox ? 15 : 600),
    trustProxy: env.TRUST_PROXY,
    /** Open HTTP connections at most; Node drops the ones beyond (http.Server maxConnections). */
    maxConnections: env.MAX_CONNECTIONS,
    logLevel: env.LOG_LEVEL,
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    /** How long a replica's claim on queued work lasts; a dead replica's work is taken over after it. */
    queueClaimSeconds: env.QUEUE_CLAIM_SECONDS,
    /** How long a SCIM write waits for Sinch before answering; the change is durable and goes on in the background. */
    provisionWaitMs: env.PROVISION_WAIT_MS,
    /** How many projects' Sinch calls one user's change makes side by side (1: one project after another). */
    projectsAtOnce: env.SINCH_PROJECTS_AT_ONCE,
    sandboxAutoAcceptMs: env.SANDBOX_AUTO_ACCEPT_MS
  }
}

export type Config = ReturnType<typeof toConfig>
