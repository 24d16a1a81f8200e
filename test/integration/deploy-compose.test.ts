import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { z } from 'zod'
import { loadConfig } from '../../src/config/load.js'

const ComposeSchema = z.object({
  services: z.object({ bridge: z.object({ command: z.array(z.string()), environment: z.record(z.string(), z.string()), secrets: z.array(z.string()) }) }),
  secrets: z.record(z.string(), z.object({ file: z.string() }))
})

describe('deploy/compose.yaml', () => {
  it('the bridge service runs `serve` with settings the bridge accepts (secrets as files, none inline)', () => {
    const compose = ComposeSchema.parse(parse(readFileSync(resolve(import.meta.dirname, '../../deploy/compose.yaml'), 'utf8')))
    const bridge = compose.services.bridge
    expect(bridge.command).toEqual(['serve'])
    const dir = mkdtempSync(join(tmpdir(), 'compose-'))
    // Compose mounts each secret at /run/secrets/<name>; here they are files in a temp folder.
    const secretValues: Record<string, string> = { sinch_key_secret: 'sinch-secret-value', scim_bearer_token: 'scim-token-0123456789abcdef', admin_token: 'admin-token-0123456789abcdef', database_url: 'postgres://bridge:pw@postgres:5432/bridge' }
    for (const name of bridge.secrets) {
      expect(compose.secrets[name], name).toBeDefined()
      writeFileSync(join(dir, name), secretValues[name] ?? 'x')
    }
    // The image's ENV lines come first (its DATABASE_URL=sqlite:… must not clash with DATABASE_URL_FILE).
    const env: Record<string, string> = {}
    for (const line of readFileSync(resolve(import.meta.dirname, '../../Dockerfile'), 'utf8').split('\n').filter((l) => l.startsWith('ENV '))) {
      for (const pair of line.slice(4).trim().split(/\s+/)) {
        const [k, v] = pair.split('=') as [string, string]
        env[k] = v
      }
    }
    for (const [key, value] of Object.entries(bridge.environment)) {
      // ${VAR:?message} and ${VAR:-default} as Compose interpolates them.
      const v = value.replace(/\$\{(\w+):\?[^}]*\}/g, (_m, name: string) => ({ SINCH_KEY_ID: 'key-id', SINCH_PROJECT_IDS: 'p1,p2' })[name] ?? '').replace(/\$\{\w+:-([^}]*)\}/g, '$1')
      env[key] = v.replace(/^\/run\/secrets\//, `${dir}/`)
      expect(key.endsWith('SECRET') || key.endsWith('TOKEN') || (key === 'DATABASE_URL' && value !== ''), `${key} inline`).toBe(false)
    }
    const r = loadConfig(env, '/nonexistent/.env')
    expect(r.ok ? [] : r.problems).toEqual([])
    if (!r.ok) return
    expect(r.config.sandbox).toBe(false)
    expect(r.config.trustProxy).toBe(true)
    expect(r.config.databaseUrl).toBe(secretValues.database_url)
    expect(r.config.scimTokens).toEqual([secretValues.scim_bearer_token])
  })
})
