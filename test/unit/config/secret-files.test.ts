import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load.js'

const NO_DOTENV = '/nonexistent/.env'
const dir = mkdtempSync(join(tmpdir(), 'secret-files-'))
const file = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text, { mode: 0o600 })
  return path
}
const live = { SINCH_KEY_ID: 'key-id', SINCH_PROJECT_IDS: 'p1', DATA_DIR: dir }

describe('secret settings read from files (X_FILE)', () => {
  it('reads every secret from its file, trimming the trailing newline; token files hold one token a line', () => {
    const r = loadConfig({
      ...live,
      SINCH_KEY_SECRET_FILE: file('sinch', 'sinch-secret-from-file\n'),
      SCIM_BEARER_TOKEN_FILE: file('scim', 'new-token-0123456789abc\nold-token-0123456789abc\n'),
      ADMIN_TOKEN_FILE: file('admin', 'admin-token-0123456789\n'),
      METRICS_TOKEN_FILE: file('metrics', 'metrics-token-0123456789\n'),
      DATABASE_URL_FILE: file('db', 'postgres://bridge:pw@db/bridge\n')
    }, NO_DOTENV)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.config.sinch.keySecret).toBe('sinch-secret-from-file')
    expect(r.config.scimTokens).toEqual(['new-token-0123456789abc', 'old-token-0123456789abc'])
    expect(r.config.adminToken).toBe('admin-token-0123456789')
    expect(r.config.metricsToken).toBe('metrics-token-0123456789')
    expect(r.config.databaseUrl).toBe('postgres://bridge:pw@db/bridge')
  })

  it('one problem per mistake: both set, unreadable, empty, invalid content (naming the file, never the value)', () => {
    const r = loadConfig({
      ...live,
      SINCH_KEY_SECRET: 'inline-secret', SINCH_KEY_SECRET_FILE: file('sinch2', 'x'),
      SCIM_BEARER_TOKEN_FILE: join(dir, 'missing'),
      ADMIN_TOKEN_FILE: file('empty', '\n'),
      METRICS_TOKEN_FILE: file('short', 'short-secret\n')
    }, NO_DOTENV)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.problems).toContain('SINCH_KEY_SECRET_FILE: set either SINCH_KEY_SECRET or SINCH_KEY_SECRET_FILE, not both')
    expect(r.problems).toContain(`SCIM_BEARER_TOKEN_FILE: cannot read "${join(dir, 'missing')}" (ENOENT)`)
    expect(r.problems).toContain(`ADMIN_TOKEN_FILE: "${join(dir, 'empty')}" is empty`)
    expect(r.problems).toContain(`METRICS_TOKEN (from METRICS_TOKEN_FILE "${join(dir, 'short')}"): must be at least 16 characters`)
    expect(r.problems.join('\n')).not.toMatch(/inline-secret|short-secret/)
  })

  it('without SCIM_BEARER_TOKEN, the token file in DATA_DIR counts in live mode too; without it, the problem says how to create one', () => {
    const empty = mkdtempSync(join(tmpdir(), 'secret-files-none-'))
    const none = loadConfig({ ...live, DATA_DIR: empty, SINCH_KEY_SECRET: 's' }, NO_DOTENV)
    expect(none.ok ? [] : none.problems).toEqual([expect.stringMatching(/^SCIM_BEARER_TOKEN: is required with a Sinch key: .*sinch-scim-bridge token/)])
    writeFileSync(join(empty, 'scim-token'), 'token-from-data-dir-0123\n')
    const r = loadConfig({ ...live, DATA_DIR: empty, SINCH_KEY_SECRET: 's' }, NO_DOTENV)
    expect(r.ok && r.config.scimTokens).toEqual(['token-from-data-dir-0123'])
    // The variable wins over the file.
    const env = loadConfig({ ...live, DATA_DIR: empty, SINCH_KEY_SECRET: 's', SCIM_BEARER_TOKEN: 'token-from-the-environment' }, NO_DOTENV)
    expect(env.ok && env.config.scimTokens).toEqual(['token-from-the-environment'])
  })
})
