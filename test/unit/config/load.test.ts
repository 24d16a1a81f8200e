import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../../src/config/load.js'
import { EnvSchema } from '../../../src/config/schema.js'

const NO_DOTENV = '/nonexistent/.env'
const live = {
  SINCH_KEY_ID: 'key-id',
  SINCH_KEY_SECRET: 'super-secret-value',
  SINCH_PROJECT_IDS: 'p1,p2',
  SCIM_BEARER_TOKEN: 'a-very-long-scim-token-123'
}

function problems (env: Record<string, string>): string[] {
  const r = loadConfig(env, NO_DOTENV)
  if (r.ok) throw new Error('expected invalid configuration')
  return r.problems
}

describe('loadConfig', () => {
  it('defaults to sandbox mode with demo projects', () => {
    const r = loadConfig({}, NO_DOTENV)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.config.sandbox).toBe(true)
    expect(r.config.port).toBe(8080)
    expect(r.config.host).toBe('0.0.0.0')
    expect(r.config.scimBasePath).toBe('/scim/v2')
    expect(r.config.projects.managed.length).toBeGreaterThan(0)
    expect(r.config.projects.defaults).toEqual(r.config.projects.managed)
    expect(r.config.projects.defaultRole).toBe('MEMBER')
    expect(r.config.deactivateAction).toBe('remove')
    expect(r.config.adoptExisting).toBe('same-or-lower-role')
    expect(r.config.databaseUrl).toBe('sqlite:./data/bridge.db')
    expect(r.config.reconcileIntervalSeconds).toBe(15)
    expect(r.config.trustProxy).toBe(false)
  })

  it('resolves a live configuration with region URLs and token rotation lists', () => {
    const r = loadConfig({ ...live, SINCH_REGION: 'eu', SCIM_BEARER_TOKEN: 'first-token-aaaaaaaa, second-token-bbbbbbb' }, NO_DOTENV)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.config.sandbox).toBe(false)
    expect(r.config.sinch.apiUrl).toBe('https://eu.api.sinch.com')
    expect(r.config.sinch.authUrl).toBe('https://auth.sinch.com/oauth2/token')
    expect(r.config.scimTokens).toEqual(['first-token-aaaaaaaa', 'second-token-bbbbbbb'])
    expect(r.config.projects.managed).toEqual(['p1', 'p2'])
    expect(r.config.reconcileIntervalSeconds).toBe(600)
    expect(r.config.sinch.unreadyAfterSeconds).toBe(120)
  })

  it('honours explicit overrides', () => {
    const r = loadConfig({
      ...live,
      SINCH_API_URL: 'http://127.0.0.1:9999',
      SINCH_AUTH_URL: 'http://127.0.0.1:9999/oauth2/token',
      SINCH_DEFAULT_PROJECT_IDS: 'p2',
      SINCH_DEFAULT_ROLE: 'readonly',
      TRUST_PROXY: 'true',
      SCIM_BASE_PATH: '/api/scim/',
      DEACTIVATE_ACTION: 'suspend',
      RECONCILE_INTERVAL: '60',
      DATABASE_URL: 'postgres://u@h/db'
    }, NO_DOTENV)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.config.sinch.apiUrl).toBe('http://127.0.0.1:9999')
    expect(r.config.projects.defaults).toEqual(['p2'])
    expect(r.config.projects.defaultRole).toBe('READONLY')
    expect(r.config.trustProxy).toBe(true)
    expect(r.config.scimBasePath).toBe('/api/scim')
    expect(r.config.deactivateAction).toBe('suspend')
    expect(r.config.reconcileIntervalSeconds).toBe(60)
  })

  it('treats SINCH_DEFAULT_PROJECT_IDS="" (set but empty) as the default, and a lone comma as no defaults', () => {
    const r = loadConfig({ ...live, SINCH_DEFAULT_PROJECT_IDS: ',' }, NO_DOTENV)
    expect(r.ok && r.config.projects.defaults).toEqual([])
  })

  // One row per way a variable can be wrong; every variable of the schema has at least one row
  // (checked below), so a new variable without a clear problem line fails this file.
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['PORT', { PORT: 'abc' }, /^PORT: must be a whole number$/],
    ['PORT', { PORT: '-1' }, /^PORT: must be a whole number$/],
    ['PORT', { PORT: '70000' }, /^PORT: must be at most 65535$/],
    ['HOST', { HOST: '   ' }, /^HOST: \S/],
    ['SCIM_BASE_PATH', { SCIM_BASE_PATH: 'scim' }, /^SCIM_BASE_PATH: must start with \//],
    ['SCIM_BASE_PATH', { SCIM_BASE_PATH: '/scim v2' }, /^SCIM_BASE_PATH: must start with \/ and hold only path characters$/],
    ['SCIM_BEARER_TOKEN', { SCIM_BEARER_TOKEN: 'short-scim-sec' }, /^SCIM_BEARER_TOKEN: each token must be at least 16/],
    ['SCIM_BEARER_TOKEN', { SCIM_BEARER_TOKEN: 'a-very-long-scim-token-123, short-scim-sec, other-short' }, /^SCIM_BEARER_TOKEN: each token must be at least 16/],
    ['SCIM_BEARER_TOKEN', { SINCH_KEY_ID: 'k', SINCH_KEY_SECRET: 'key-secret-value', SINCH_PROJECT_IDS: 'p' }, /^SCIM_BEARER_TOKEN: is required with a Sinch key/],
    ['ADMIN_TOKEN', { ADMIN_TOKEN: 'short-admin-sec' }, /^ADMIN_TOKEN: must be at least 16/],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short-metr-sec' }, /^METRICS_TOKEN: must be at least 16/],
    ['SINCH_KEY_ID', { SINCH_KEY_SECRET: 'never-echo-this' }, /^SINCH_KEY_ID: is required/],
    ['SINCH_KEY_ID', { ...live, SINCH_KEY_ID: '   ' }, /^SINCH_KEY_ID: \S/],
    ['SINCH_KEY_SECRET', { SINCH_KEY_ID: 'k' }, /^SINCH_KEY_SECRET: is required/],
    ['SINCH_AUTH_MODE', { SINCH_AUTH_MODE: 'jwt' }, /^SINCH_AUTH_MODE: .*"oauth".*"basic"/],
    ['SINCH_REGION', { SINCH_REGION: 'ap' }, /^SINCH_REGION: .*"us".*"eu"/],
    ['SINCH_API_STYLE', { SINCH_API_STYLE: 'v2' }, /^SINCH_API_STYLE: must be auto, guide or v1/],
    ['SINCH_ROLE_MAP', { SINCH_ROLE_MAP: 'ADMIN' }, /^SINCH_ROLE_MAP: "ADMIN" is not ROLE=name/],
    ['SIMULATOR_API_STYLE', { SIMULATOR_API_STYLE: 'auto' }, /^SIMULATOR_API_STYLE: must be guide or v1/],
    ['SINCH_API_URL', { SINCH_API_URL: 'not a url' }, /^SINCH_API_URL: must be an absolute URL/],
    ['SINCH_API_URL', { SINCH_API_URL: 'ftp://x/y' }, /^SINCH_API_URL: must be http/],
    ['SINCH_AUTH_URL', { SINCH_AUTH_URL: 'ftp://x/y' }, /^SINCH_AUTH_URL: must be http/],
    ['SINCH_AUTH_URL', { SINCH_AUTH_URL: '/oauth2/token' }, /^SINCH_AUTH_URL: must be an absolute URL/],
    ['SINCH_PROJECT_IDS', { SINCH_KEY_ID: 'k', SINCH_KEY_SECRET: 'key-secret-value', SCIM_BEARER_TOKEN: 'a-very-long-scim-token-123' }, /^SINCH_PROJECT_IDS: is required/],
    ['SINCH_PROJECT_IDS', { ...live, SINCH_PROJECT_IDS: ' , ' }, /^SINCH_PROJECT_IDS: is required/],
    ['SINCH_PROJECT_IDS', { SINCH_PROJECT_IDS: 'ok,bad id' }, /^SINCH_PROJECT_IDS: project ids are/],
    ['SINCH_DEFAULT_PROJECT_IDS', { ...live, SINCH_DEFAULT_PROJECT_IDS: 'p3' }, /^SINCH_DEFAULT_PROJECT_IDS: project "p3" is not in SINCH_PROJECT_IDS$/],
    ['SINCH_DEFAULT_PROJECT_IDS', { SINCH_DEFAULT_PROJECT_IDS: 'bad id' }, /^SINCH_DEFAULT_PROJECT_IDS: project ids are/],
    ['SINCH_DEFAULT_ROLE', { SINCH_DEFAULT_ROLE: 'boss' }, /^SINCH_DEFAULT_ROLE: .*"MEMBER"/],
    ['SINCH_DEFAULT_ROLE', { SINCH_DEFAULT_ROLE: 'OWNER' }, /^SINCH_DEFAULT_ROLE: OWNER needs ALLOW_OWNER=true$/],
    ['MAPPING_FILE', { MAPPING_FILE: '  ' }, /^MAPPING_FILE: \S/],
    ['ALLOW_OWNER', { ALLOW_OWNER: 'maybe' }, /^ALLOW_OWNER: must be true or false$/],
    ['DEACTIVATE_ACTION', { DEACTIVATE_ACTION: 'delete' }, /^DEACTIVATE_ACTION: .*"remove".*"suspend".*"readonly"/],
    ['ADOPT_EXISTING', { ADOPT_EXISTING: 'sometimes' }, /^ADOPT_EXISTING: .*"never".*"same-or-lower-role".*"always"/],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://u:db-password-secret@h/db' }, /^DATABASE_URL: must be sqlite:<path> or postgres/],
    ['DATABASE_URL', { DATABASE_URL: 'sqlite:' }, /^DATABASE_URL: must be sqlite:<path> or postgres/],
    ['DATA_DIR', { DATA_DIR: ' \t ' }, /^DATA_DIR: \S/],
    ['RECONCILE_INTERVAL', { RECONCILE_INTERVAL: '1' }, /^RECONCILE_INTERVAL: must be at least 5$/],
    ['RECONCILE_INTERVAL', { RECONCILE_INTERVAL: '604801' }, /^RECONCILE_INTERVAL: must be at most 604800$/],
    ['RECONCILE_INTERVAL', { RECONCILE_INTERVAL: '10m' }, /^RECONCILE_INTERVAL: must be a whole number$/],
    ['TRUST_PROXY', { TRUST_PROXY: 'sure' }, /^TRUST_PROXY: must be true or false$/],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /^LOG_LEVEL: .*"info"/],
    ['AUDIT_RETENTION_DAYS', { AUDIT_RETENTION_DAYS: '0' }, /^AUDIT_RETENTION_DAYS: must be at least 1$/],
    ['AUDIT_RETENTION_DAYS', { AUDIT_RETENTION_DAYS: '36501' }, /^AUDIT_RETENTION_DAYS: must be at most 36500$/],
    ['AUDIT_RETENTION_DAYS', { AUDIT_RETENTION_DAYS: '1.5' }, /^AUDIT_RETENTION_DAYS: must be a whole number$/],
    ['QUEUE_CLAIM_SECONDS', { QUEUE_CLAIM_SECONDS: '4' }, /^QUEUE_CLAIM_SECONDS: must be at least 5$/],
    ['QUEUE_CLAIM_SECONDS', { QUEUE_CLAIM_SECONDS: '3601' }, /^QUEUE_CLAIM_SECONDS: must be at most 3600$/],
    ['QUEUE_CLAIM_SECONDS', { QUEUE_CLAIM_SECONDS: '2min' }, /^QUEUE_CLAIM_SECONDS: must be a whole number$/],
    ['SINCH_PROJECTS_AT_ONCE', { SINCH_PROJECTS_AT_ONCE: '0' }, /^SINCH_PROJECTS_AT_ONCE: must be at least 1$/],
    ['SINCH_PROJECTS_AT_ONCE', { SINCH_PROJECTS_AT_ONCE: '33' }, /^SINCH_PROJECTS_AT_ONCE: must be at most 32$/],
    ['PROVISION_WAIT_MS', { PROVISION_WAIT_MS: '60001' }, /^PROVISION_WAIT_MS: must be at most 60000$/],
    ['PROVISION_WAIT_MS', { PROVISION_WAIT_MS: '5s' }, /^PROVISION_WAIT_MS: must be a whole number$/],
    ['SANDBOX_AUTO_ACCEPT_MS', { SANDBOX_AUTO_ACCEPT_MS: '-1' }, /^SANDBOX_AUTO_ACCEPT_MS: must be a whole number$/],
    ['SANDBOX_AUTO_ACCEPT_MS', { SANDBOX_AUTO_ACCEPT_MS: '86400001' }, /^SANDBOX_AUTO_ACCEPT_MS: must be at most 86400000$/],
    ['DATABASE_CONNECT_TIMEOUT_MS', { DATABASE_CONNECT_TIMEOUT_MS: '99' }, /^DATABASE_CONNECT_TIMEOUT_MS: must be at least 100$/],
    ['DATABASE_CONNECT_TIMEOUT_MS', { DATABASE_CONNECT_TIMEOUT_MS: '5s' }, /^DATABASE_CONNECT_TIMEOUT_MS: must be a whole number$/],
    ['DATABASE_STATEMENT_TIMEOUT_MS', { DATABASE_STATEMENT_TIMEOUT_MS: '3600001' }, /^DATABASE_STATEMENT_TIMEOUT_MS: must be at most 3600000$/],
    ['SINCH_UNREADY_AFTER_SECONDS', { SINCH_UNREADY_AFTER_SECONDS: '2m' }, /^SINCH_UNREADY_AFTER_SECONDS: must be a whole number$/],
    ['SINCH_UNREADY_AFTER_SECONDS', { SINCH_UNREADY_AFTER_SECONDS: '604801' }, /^SINCH_UNREADY_AFTER_SECONDS: must be at most 604800$/],
    ['MAX_CONNECTIONS', { MAX_CONNECTIONS: '0' }, /^MAX_CONNECTIONS: must be at least 1$/],
    ['MAX_CONNECTIONS', { MAX_CONNECTIONS: 'many' }, /^MAX_CONNECTIONS: must be a whole number$/]
  ]
  /** Variables whose values reach no problem line: credentials, and URLs that may carry one. */
  const SECRET_KEYS = ['SCIM_BEARER_TOKEN', 'ADMIN_TOKEN', 'METRICS_TOKEN', 'SINCH_KEY_SECRET', 'DATABASE_URL']

  it.each(cases)('reports a bad %s on exactly one line naming the variable, without echoing a secret', (name, env, pattern) => {
    const found = problems(env)
    const mine = found.filter((p) => p.startsWith(`${name}: `))
    expect(mine, found.join('\n')).toHaveLength(1)
    expect(mine[0]).toMatch(pattern)
    for (const p of found) expect(p).not.toContain('\n')
    const out = found.join('\n')
    for (const key of SECRET_KEYS) {
      const raw = env[key]
      if (raw === undefined) continue
      // The whole value and each comma-separated token; short fragments like "sqlite:" may be in the help text.
      for (const part of [raw, ...raw.split(',').map((s) => s.trim())].filter((s) => s.length >= 8)) expect(out).not.toContain(part)
    }
  })

  it('has a problem case for every variable of the schema', () => {
    const covered = new Set(cases.map(([name]) => name))
    expect(Object.keys(EnvSchema.shape).filter((k) => !covered.has(k))).toEqual([])
  })

  it('names each bad variable exactly once when all of them are bad at the same start-up', () => {
    const env: Record<string, string> = {
      PORT: 'x',
      HOST: ' ',
      SCIM_BASE_PATH: 'scim',
      SCIM_BEARER_TOKEN: 'tiny-scim-sec',
      ADMIN_TOKEN: 'tiny-admin-sec',
      METRICS_TOKEN: 'tiny-metrics-s',
      SINCH_KEY_ID: ' ',
      SINCH_KEY_SECRET: 'never-echo-this-secret',
      SINCH_AUTH_MODE: 'jwt',
      SINCH_REGION: 'mars',
      SINCH_API_STYLE: 'v9',
      SINCH_ROLE_MAP: '=x',
      SINCH_UNREADY_AFTER_SECONDS: '2m',
      SIMULATOR_API_STYLE: 'v9',
      SINCH_API_URL: 'nope',
      SINCH_AUTH_URL: 'ftp://x',
      SINCH_PROJECT_IDS: 'bad id',
      SINCH_DEFAULT_PROJECT_IDS: 'bad id',
      SINCH_DEFAULT_ROLE: 'boss',
      MAPPING_FILE: ' ',
      ALLOW_OWNER: 'maybe',
      DEACTIVATE_ACTION: 'delete',
      ADOPT_EXISTING: 'sometimes',
      DATABASE_URL: 'mysql://u:db-password-secret@h/db',
      DATA_DIR: ' ',
      RECONCILE_INTERVAL: '1',
      TRUST_PROXY: 'sure',
      LOG_LEVEL: 'loud',
      AUDIT_RETENTION_DAYS: '0',
      QUEUE_CLAIM_SECONDS: '1',
      SINCH_PROJECTS_AT_ONCE: 'many',
      PROVISION_WAIT_MS: 'never',
      SANDBOX_AUTO_ACCEPT_MS: 'soon',
      DATABASE_CONNECT_TIMEOUT_MS: '0',
      DATABASE_STATEMENT_TIMEOUT_MS: 'forever',
      MAX_CONNECTIONS: '-1'
    }
    const found = problems(env)
    // SINCH_KEY_SECRET itself is well-formed: the only variable of the schema not named.
    const bad = Object.keys(EnvSchema.shape).filter((k) => k !== 'SINCH_KEY_SECRET')
    for (const key of bad) expect(found.filter((p) => p.startsWith(`${key}: `)), `${key} in\n${found.join('\n')}`).toHaveLength(1)
    expect(found).toHaveLength(bad.length)
    const out = found.join('\n')
    for (const secret of ['tiny-scim-sec', 'tiny-admin-sec', 'tiny-metrics-s', 'never-echo-this-secret', 'db-password-secret']) expect(out).not.toContain(secret)
  })

  it('reports every problem at once and never echoes a secret', () => {
    const found = problems({ PORT: 'x', SINCH_REGION: 'mars', SINCH_KEY_SECRET: 'never-echo-this', SCIM_BEARER_TOKEN: 'tiny' })
    expect(found.length).toBeGreaterThanOrEqual(4)
    expect(found.join('\n')).not.toContain('never-echo-this')
    expect(found.join('\n')).not.toContain('tiny')
  })

  it('gives the documented defaults to the variables without a problem case of their own value', () => {
    const r = loadConfig({}, NO_DOTENV)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.config.dataDir).toBe('./data')
    expect(r.config.mappingFile).toBeUndefined()
    expect(r.config.allowOwner).toBe(false)
    expect(r.config.logLevel).toBe('info')
    expect(r.config.adminToken).toBeUndefined()
    expect(r.config.metricsToken).toBeUndefined()
    expect(r.config.auditRetentionDays).toBe(365)
    expect(r.config.queueClaimSeconds).toBe(30)
    expect(r.config.provisionWaitMs).toBe(8000)
    expect(r.config.sandboxAutoAcceptMs).toBe(30_000)
    expect(r.config.sinch).toMatchObject({ authMode: 'oauth', region: 'us', apiUrl: undefined, authUrl: undefined })
  })

  it('treats a set-but-empty variable as unset (FOO= in a compose file), and trims what it keeps', () => {
    const empty = Object.fromEntries(Object.keys(EnvSchema.shape).map((k) => [k, '']))
    const r = loadConfig(empty, NO_DOTENV)
    expect(r.ok, r.ok ? '' : r.problems.join('\n')).toBe(true)
    if (!r.ok) return
    expect(r.config.sandbox).toBe(true)
    expect(r.config.host).toBe('0.0.0.0')
    expect(r.config.dataDir).toBe('./data')
    expect(r.config.mappingFile).toBeUndefined()
    expect(r.config.auditRetentionDays).toBe(365)
    expect(r.config.queueClaimSeconds).toBe(30)
    expect(r.config.sandboxAutoAcceptMs).toBe(30_000)
    const t = loadConfig({ HOST: ' :: ', DATA_DIR: ' /var/lib/bridge ', MAPPING_FILE: ' ./mapping.yaml ', AUDIT_RETENTION_DAYS: ' 30 ', QUEUE_CLAIM_SECONDS: '5', PROVISION_WAIT_MS: '0', SANDBOX_AUTO_ACCEPT_MS: '0', ALLOW_OWNER: 'YES', LOG_LEVEL: 'debug', ADMIN_TOKEN: 'admin-token-16-chars', METRICS_TOKEN: 'metrics-token-16-ch' }, NO_DOTENV)
    expect(t.ok, t.ok ? '' : t.problems.join('\n')).toBe(true)
    if (!t.ok) return
    expect(t.config).toMatchObject({ host: '::', dataDir: '/var/lib/bridge', mappingFile: './mapping.yaml', auditRetentionDays: 30, queueClaimSeconds: 5, provisionWaitMs: 0, sandboxAutoAcceptMs: 0, allowOwner: true, logLevel: 'debug', adminToken: 'admin-token-16-chars', metricsToken: 'metrics-token-16-ch' })
  })

  it('reads .env but lets the environment win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'))
    const file = join(dir, '.env')
    writeFileSync(file, 'PORT=9090\nHOST=127.0.0.1\nLOG_LEVEL=debug\n')
    const r = loadConfig({ PORT: '7070' }, file)
    expect(r.ok && r.config.port).toBe(7070)
    expect(r.ok && r.config.host).toBe('127.0.0.1')
    expect(r.ok && r.config.logLevel).toBe('debug')
  })
})

describe('Sinch API style and role names (issue 13)', () => {
  it('defaults to auto detection with the guide\'s role names and a guide-style sandbox simulator', () => {
    const r = loadConfig(live, NO_DOTENV)
    expect(r.ok && r.config.sinch.apiStyle).toBe('auto')
    expect(r.ok && r.config.sinch.roleMap).toEqual({})
    expect(r.ok && r.config.simulatorApiStyle).toBe('guide')
  })

  it('reads SINCH_API_STYLE, SIMULATOR_API_STYLE and SINCH_ROLE_MAP (names may hold spaces; role keys any case)', () => {
    const r = loadConfig({ ...live, SINCH_API_STYLE: 'v1', SIMULATOR_API_STYLE: 'v1', SINCH_ROLE_MAP: 'admin=Administrator, MEMBER=Member ,READONLY=Limited member' }, NO_DOTENV)
    expect(r.ok && r.config.sinch.apiStyle).toBe('v1')
    expect(r.ok && r.config.simulatorApiStyle).toBe('v1')
    expect(r.ok && r.config.sinch.roleMap).toEqual({ ADMIN: 'Administrator', MEMBER: 'Member', READONLY: 'Limited member' })
  })

  it('names each bad value', () => {
    const all = problems({ ...live, SINCH_API_STYLE: 'v2', SIMULATOR_API_STYLE: 'auto', SINCH_ROLE_MAP: 'BOSS=Owner' }).join('\n')
    expect(all).toMatch(/SINCH_API_STYLE.*auto, guide or v1/)
    expect(all).toMatch(/SIMULATOR_API_STYLE.*guide or v1/)
    expect(all).toMatch(/SINCH_ROLE_MAP.*"BOSS=Owner" is not ROLE=name/)
    expect(problems({ ...live, SINCH_ROLE_MAP: 'ADMIN=Member,MEMBER=member' }).join('\n')).toMatch(/SINCH_ROLE_MAP.*mapped twice/)
  })
})
