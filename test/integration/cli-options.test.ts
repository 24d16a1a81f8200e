import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnBridge } from '../support/child-bridge.js'
import { freePort, runCli } from '../support/run-cli.js'

const COMMANDS = ['serve', 'simulate', 'reconcile', 'token', 'doctor', 'audit', 'roles']
const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }
const noStack = (s: string): boolean => !/\n\s+at .+:\d+:\d+/.test(s)

describe('CLI options (built), as an operator mistypes them', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version'], {})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${pkg.version}\n`)
  })

  it('every command: an unknown option, a missing value or a stray argument is usage and exit 2, never a stack trace', async () => {
    for (const c of COMMANDS) {
      const r = await runCli([c, '--no-such-option'], {})
      expect(r.code, c).toBe(2)
      expect(r.stderr, c).toContain(`Unknown option '--no-such-option'`)
      expect(r.stderr, c).toContain(`sinch-scim-bridge ${c} --help`)
      expect(noStack(r.out), c).toBe(true)
      const stray = await runCli([c, 'stray'], {})
      expect(stray.code, c).toBe(2)
      expect(noStack(stray.out), c).toBe(true)
    }
    const missing = await runCli(['audit', '--since'], {})
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/--since <value>' argument missing/)
    const badPort = await runCli(['serve', '--port', 'eighty'], {})
    expect(badPort.code).toBe(2)
    expect(badPort.stderr).toMatch(/--port: "eighty" is not a port/)
    const unknown = await runCli(['srve'], {})
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/unknown command "srve"/)
  }, 60_000)

  it('every command documents its options in --help', async () => {
    for (const c of COMMANDS) {
      const r = await runCli([c, '--help'], {})
      expect(r.code, c).toBe(0)
      expect(r.stdout, c).toMatch(new RegExp(`^Usage: sinch-scim-bridge ${c}`))
    }
    expect((await runCli(['serve', '--help'], {})).stdout).toMatch(/--port N[\s\S]*--host H/)
  }, 60_000)
})

describe('serve listens where it is told, and exits when it cannot', () => {
  let dir: string
  let taken: Server
  let takenPort: number
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-serve-'))
    taken = createServer()
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
    const address = taken.address()
    takenPort = typeof address === 'object' && address !== null ? address.port : 0
  })
  afterAll(async () => { await new Promise<void>((r) => taken.close(() => r())) })

  it('serve --port --host overrides PORT and HOST', async () => {
    const port = await freePort()
    const bridge = await spawnBridge({ DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'a.db')}`, LOG_LEVEL: 'warn', PORT: '1', HOST: '0.0.0.0' }, ['--port', String(port), '--host', '127.0.0.1'])
    try {
      expect(new URL(bridge.url).port).toBe(String(port))
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
    } finally {
      expect(await bridge.kill('SIGTERM')).toBe(0)
    }
  }, 30_000)

  it('sandbox serve on a taken port exits 1 (the in-process simulator does not keep it alive)', async () => {
    const r = await runCli(['serve', '--port', String(takenPort), '--host', '127.0.0.1'], { DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'b.db')}`, LOG_LEVEL: 'warn' }, { timeoutMs: 15_000 })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/EADDRINUSE/)
    expect(noStack(r.out)).toBe(true)
  }, 30_000)

  it('simulate on a taken port exits 1 with one line, no stack trace', async () => {
    const r = await runCli(['simulate', '--port', String(takenPort)], {}, { timeoutMs: 15_000 })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`simulate: cannot listen on 127.0.0.1:${takenPort}: listen EADDRINUSE: address already in use 127.0.0.1:${takenPort}\n`)
  }, 30_000)

  it('live serve on a taken port exits 1 too', async () => {
    const r = await runCli(['serve', '--port', String(takenPort), '--host', '127.0.0.1'], {
      SINCH_KEY_ID: 'k', SINCH_KEY_SECRET: 'secret-not-used-here', SINCH_PROJECT_IDS: 'p1', SCIM_BEARER_TOKEN: 'a-scim-token-of-some-length', SINCH_API_URL: 'http://127.0.0.1:9', SINCH_AUTH_URL: 'http://127.0.0.1:9/oauth2/token', DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'c.db')}`, LOG_LEVEL: 'warn'
    }, { timeoutMs: 15_000 })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/EADDRINUSE/)
  }, 30_000)
})
