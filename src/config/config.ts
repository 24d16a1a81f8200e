import type { AdoptPolicy, Env, Role } from './schema.js'

export const SANDBOX_PROJECT_IDS = ['demo-project', 'demo-sandbox'] as const

/** The configuration the rest of the product reads: resolved, typed, with secrets kept apart. */
export interface Config {
  port: number
  host: string
  scimBasePath: string
  /** Empty in sandbox mode until the token file is read or generated. */
  scimTokens: string[]
  adminToken: string | undefined
  metricsToken: string | undefined
  sandbox: boolean
  sinch: {
    keyId: string
    keySecret: string
    authMode: 'oauth' | 'basic'
    region: 'us' | 'eu'
    /** Undefined in sandbox mode: the in-process simulator's address is known only once it listens. */
    apiUrl: string | undefined
    authUrl: string | undefined
    /** auto: detect guide or v1 on the first listing (issue 13). */
    apiStyle: 'auto' | 'guide' | 'v1'
    roleMap: Partial<Record<Role, string>>
  }
  /** The style the bundled simulator speaks (sandbox mode and `simulate`). */
  simulatorApiStyle: 'guide' | 'v1'
  projects: {
    managed: string[]
    defaults: string[]
    defaultRole: Role
  }
  mappingFile: string | undefined
  allowOwner: boolean
  deactivateAction: 'remove' | 'suspend' | 'readonly'
  adoptExisting: AdoptPolicy
  databaseUrl: string
  /** Milliseconds: waiting for a connection or SQLite's write lock; one PostgreSQL statement. */
  databaseTimeouts: { connectMs: number, statementMs: number }
  dataDir: string
  reconcileIntervalSeconds: number
  trustProxy: boolean
  /** Open HTTP connections at most; Node drops the ones beyond (http.Server maxConnections). */
  maxConnections: number
  logLevel: Env['LOG_LEVEL']
  auditRetentionDays: number
  /** How long a replica's claim on queued work lasts; a dead replica's work is taken over after it. */
  queueClaimSeconds: number
  /** How long a SCIM write waits for Sinch before answering; the change is durable and goes on in the background. */
  provisionWaitMs: number
  sandboxAutoAcceptMs: number
}

export function toConfig (env: Env): Config {
  const sandbox = env.SINCH_KEY_ID === undefined
  const managed = env.SINCH_PROJECT_IDS ?? (sandbox ? [...SANDBOX_PROJECT_IDS] : [])
  const region = env.SINCH_REGION
  return {
    port: env.PORT,
    host: env.HOST,
    scimBasePath: env.SCIM_BASE_PATH,
    scimTokens: env.SCIM_BEARER_TOKEN ?? [],
    adminToken: env.ADMIN_TOKEN,
    metricsToken: env.METRICS_TOKEN,
    sandbox,
    sinch: {
      keyId: env.SINCH_KEY_ID ?? 'sandbox-key',
      keySecret: env.SINCH_KEY_SECRET ?? 'sandbox-secret',
      authMode: env.SINCH_AUTH_MODE,
      region,
      apiUrl: env.SINCH_API_URL ?? (sandbox ? undefined : `https://${region}.api.sinch.com`),
      authUrl: env.SINCH_AUTH_URL ?? (sandbox ? undefined : 'https://auth.sinch.com/oauth2/token'),
      apiStyle: env.SINCH_API_STYLE,
      roleMap: env.SINCH_ROLE_MAP ?? {}
    },
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
    databaseTimeouts: { connectMs: env.DATABASE_CONNECT_TIMEOUT_MS, statementMs: env.DATABASE_STATEMENT_TIMEOUT_MS },
    dataDir: env.DATA_DIR,
    // The sandbox reconciles often so a newcomer sees an accepted invite turn ACTIVE within seconds.
    reconcileIntervalSeconds: env.RECONCILE_INTERVAL ?? (sandbox ? 15 : 600),
    trustProxy: env.TRUST_PROXY,
    maxConnections: env.MAX_CONNECTIONS,
    logLevel: env.LOG_LEVEL,
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    queueClaimSeconds: env.QUEUE_CLAIM_SECONDS,
    provisionWaitMs: env.PROVISION_WAIT_MS,
    sandboxAutoAcceptMs: env.SANDBOX_AUTO_ACCEPT_MS
  }
}
