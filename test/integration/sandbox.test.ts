import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { eventually } from '../support/bridge.js'
import { spawnBridge, type ChildBridge } from '../support/child-bridge.js'

const HAVE_CURL = spawnSync('curl', ['--version']).status === 0

describe('sandbox first run, as a newcomer does it', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sandbox-'))
  let bridge: ChildBridge | null = null
  afterAll(async () => { await bridge?.kill('SIGTERM') })

  it.skipIf(!HAVE_CURL)(`starts with no Sinch key, prints a working curl, shows the user invited then active, keeps its token${HAVE_CURL ? '' : ' (skipped: curl is not installed)'}`, async () => {
    const env = { DATA_DIR: join(cwd, 'data'), DATABASE_URL: `sqlite:${join(cwd, 'data', 'bridge.db')}`, SANDBOX_AUTO_ACCEPT_MS: '300', RECONCILE_INTERVAL: '5' }
    bridge = await spawnBridge(env)
    const banner = bridge.output()
    expect(banner).toContain('SANDBOX MODE')
    expect(banner).toContain('nothing is sent to Sinch')
    const token = /SCIM token\s+(\S+)/.exec(banner)?.[1] ?? ''
    expect(readFileSync(join(cwd, 'data', 'scim-token'), 'utf8').trim()).toBe(token)
    expect(statSync(join(cwd, 'data', 'scim-token')).mode & 0o777).toBe(0o600)
    const curl = banner.slice(banner.indexOf('curl -s')).split('\n').slice(0, 3).join('\n').replace(/\\\n\s*/g, ' ')
    const created = JSON.parse(execFileSync('bash', ['-c', curl], { encoding: 'utf8' })) as { id: string, userName: string }
    expect(created.userName).toBe('ada@example.com')
    const origin = new URL(bridge.url).origin
    const status = async (): Promise<string> => await (await fetch(`${origin}/status/people/${created.id}`, { headers: { authorization: `Basic ${Buffer.from(`admin:${token}`).toString('base64')}` } })).text()
    expect(await status()).toMatch(/MEMBER · <span class="st-pending">PENDING/)
    await eventually(async () => /MEMBER · <span class="st-active">ACTIVE/.test(await status()), 20_000, 500)
    expect(await bridge.kill('SIGTERM')).toBe(0)
    bridge = await spawnBridge(env)
    expect(/SCIM token\s+(\S+)/.exec(bridge.output())?.[1]).toBe(token)
  }, 60_000)
})
