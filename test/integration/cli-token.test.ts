import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../src/simulator/index.js'
import { SIM_KEY } from '../support/bridge.js'
import { spawnBridge } from '../support/child-bridge.js'
import { runCli } from '../support/run-cli.js'

const TOKEN = /^[A-Za-z0-9_-]{43}$/

describe('token with a Sinch key and no SCIM token yet (live mode)', () => {
  let sim: Simulator
  let env: Record<string, string>
  let dir: string
  beforeAll(async () => {
    sim = createSimulator({ projects: ['p1'], keys: [{ id: SIM_KEY.id, secret: SIM_KEY.secret }] })
    const url = await sim.listen(0)
    dir = mkdtempSync(join(tmpdir(), 'cli-token-'))
    // No SCIM_BEARER_TOKEN: the first token is what `token` is for.
    env = { SINCH_KEY_ID: SIM_KEY.id, SINCH_KEY_SECRET: SIM_KEY.secret, SINCH_API_URL: url, SINCH_AUTH_URL: `${url}/oauth2/token`, SINCH_PROJECT_IDS: 'p1', DATABASE_URL: `sqlite:${join(dir, 'b.db')}`, DATA_DIR: dir, LOG_LEVEL: 'warn' }
  })
  afterAll(async () => { await sim.close() })

  it('serve refuses without a token and names the ways to give one', async () => {
    const r = await runCli(['serve'], { ...env, PORT: '0' })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/SCIM_BEARER_TOKEN: is required with a Sinch key: set it or SCIM_BEARER_TOKEN_FILE, or run "sinch-scim-bridge token"/)
  })

  it('creates the first token (0600), refuses to overwrite it, rotates keeping the previous one, and serve accepts both', async () => {
    const first = await runCli(['token'], env)
    expect(first.code).toBe(0)
    const t1 = first.stdout.trim()
    expect(t1).toMatch(TOKEN)
    const file = join(dir, 'scim-token')
    expect(readFileSync(file, 'utf8')).toBe(`${t1}\n`)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(first.stderr).not.toContain(t1)

    const again = await runCli(['token'], env)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already exists.*--rotate/)
    expect(readFileSync(file, 'utf8')).toBe(`${t1}\n`)

    const rotated = await runCli(['token', '--rotate', '--json'], env)
    expect(rotated.code).toBe(0)
    const out = JSON.parse(rotated.stdout) as { token: string, file: string, action: string, accepted: number }
    expect(out).toEqual({ token: expect.stringMatching(TOKEN), file, action: 'rotated', accepted: 2 })
    expect(readFileSync(file, 'utf8')).toBe(`${out.token}\n${t1}\n`)
    expect(statSync(file).mode & 0o777).toBe(0o600)

    const bridge = await spawnBridge(env)
    try {
      for (const t of [out.token, t1]) {
        expect((await fetch(`${bridge.url}/Users`, { headers: { authorization: `Bearer ${t}` } })).status, t).toBe(200)
      }
      expect((await fetch(`${bridge.url}/Users`, { headers: { authorization: 'Bearer not-the-token-at-all-0123' } })).status).toBe(401)
      expect(bridge.output()).not.toContain(out.token)
    } finally {
      expect(await bridge.kill('SIGTERM')).toBe(0)
    }

    // A second rotation drops the oldest: two tokens at most.
    const third = JSON.parse((await runCli(['token', '--rotate', '--json'], env)).stdout) as { token: string }
    expect(readFileSync(file, 'utf8')).toBe(`${third.token}\n${out.token}\n`)
  }, 60_000)

  it('says when SCIM_BEARER_TOKEN overrides the file', async () => {
    const other = mkdtempSync(join(tmpdir(), 'cli-token-env-'))
    const r = await runCli(['token'], { ...env, DATA_DIR: other, SCIM_BEARER_TOKEN: 'an-existing-token-0123456789' })
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/SCIM_BEARER_TOKEN is set and takes precedence/)
    expect(r.out).not.toContain('an-existing-token-0123456789')
  })
})
