import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../../src/config/load.js'

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

  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['PORT', { PORT: 'abc' }, /^PORT: must be a whole number/],
    ['PORT', { PORT: '70000' }, /^PORT: must be at most 65535/],
    ['SCIM_BASE_PATH', { SCIM_BASE_PATH: 'scim' }, /^SCIM_BASE_PATH: must start with \//],
    ['SCIM_BEARER_TOKEN', { SCIM_BEARER_TOKEN: 'short' }, /^SCIM_BEARER_TOKEN: each token must be at least 16/],
    ['ADMIN_TOKEN', { ADMIN_TOKEN: 'short' }, /^ADMIN_TOKEN: must be at least 16/],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short' }, /^METRICS_TOKEN: must be at least 16/],
    ['SINCH_KEY_SECRET', { SINCH_KEY_ID: 'k' }, /^SINCH_KEY_SECRET: is required/],
    ['SINCH_KEY_ID', { SINCH_KEY_SECRET: 'never-echo-this' }, /^SINCH_KEY_ID: is required/],
    ['SINCH_AUTH_MODE', { SINCH_AUTH_MODE: 'jwt' }, /^SINCH_AUTH_MODE: /],
    ['SINCH_REGION', { SINCH_REGION: 'ap' }, /^SINCH_REGION: /],
    ['SINCH_API_URL', { SINCH_API_URL: 'not a url' }, /^SINCH_API_URL: must be an absolute URL/],
    ['SINCH_AUTH_URL', { SINCH_AUTH_URL: 'ftp://x/y' }, /^SINCH_AUTH_URL: must be http/],
    ['SINCH_PROJECT_IDS', { SINCH_KEY_ID: 'k', SINCH_KEY_SECRET: 's', SCIM_BEARER_TOKEN: 'a-very-long-scim-token-123' }, /^SINCH_PROJECT_IDS: is required/],
    ['SINCH_PROJECT_IDS', { SINCH_PROJECT_IDS: 'ok,bad id' }, /^SINCH_PROJECT_IDS: project ids are/],
    ['SINCH_DEFAULT_PROJECT_IDS', { ...live, SINCH_DEFAULT_PROJECT_IDS: 'p3' }, /^SINCH_DEFAULT_PROJECT_IDS: project "p3" is not in SINCH_PROJECT_IDS/],
    ['SINCH_DEFAULT_ROLE', { SINCH_DEFAULT_ROLE: 'boss' }, /^SINCH_DEFAULT_ROLE: /],
    ['SINCH_DEFAULT_ROLE', { SINCH_DEFAULT_ROLE: 'OWNER' }, /^SINCH_DEFAULT_ROLE: OWNER needs ALLOW_OWNER=true/],
    ['ALLOW_OWNER', { ALLOW_OWNER: 'maybe' }, /^ALLOW_OWNER: must be true or false/],
    ['DEACTIVATE_ACTION', { DEACTIVATE_ACTION: 'delete' }, /^DEACTIVATE_ACTION: /],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must be sqlite:<path> or postgres/],
    ['RECONCILE_INTERVAL', { RECONCILE_INTERVAL: '1' }, /^RECONCILE_INTERVAL: must be at least 5/],
    ['TRUST_PROXY', { TRUST_PROXY: 'sure' }, /^TRUST_PROXY: must be true or false/],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    ['SCIM_BEARER_TOKEN', { SINCH_KEY_ID: 'k', SINCH_KEY_SECRET: 's', SINCH_PROJECT_IDS: 'p' }, /^SCIM_BEARER_TOKEN: is required with a Sinch key/]
  ]
  it.each(cases)('reports a bad %s on one line naming the variable', (_name, env, pattern) => {
    const found = problems(env)
    expect(found.some((p) => pattern.test(p)), found.join('\n')).toBe(true)
  })

  it('reports every problem at once and never echoes a secret', () => {
    const found = problems({ PORT: 'x', SINCH_REGION: 'mars', SINCH_KEY_SECRET: 'never-echo-this', SCIM_BEARER_TOKEN: 'tiny' })
    expect(found.length).toBeGreaterThanOrEqual(4)
    expect(found.join('\n')).not.toContain('never-echo-this')
    expect(found.join('\n')).not.toContain('tiny')
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
