import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createStore } from '../../src/store/index.js'
import { spawnBridge } from '../support/child-bridge.js'
import { runCli } from '../support/run-cli.js'

interface DryRun { ops: Array<{ kind: string }> }

async function until (what: string, fn: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('CLI commands in sandbox mode talk to the running bridge\'s simulator, or refuse', () => {
  it('reconcile without a running bridge refuses with exit 2 and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-sbx-none-'))
    const env = { DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'b.db')}`, LOG_LEVEL: 'warn' }
    for (const args of [['reconcile'], ['reconcile', '--dry-run', '--json']]) {
      const r = await runCli(args, env)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/needs the simulator of a running bridge, and none answers/)
      expect(r.stdout).toBe('')
    }
    expect(existsSync(join(dir, 'b.db'))).toBe(false)
  }, 30_000)

  it('with the bridge serving: --dry-run sees its provisioned users (0 changes), the real run invites nobody again; the link goes when it stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-sbx-'))
    const env = { DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'b.db')}`, LOG_LEVEL: 'warn', SANDBOX_AUTO_ACCEPT_MS: '0' }
    const bridge = await spawnBridge(env)
    try {
      const token = readFileSync(join(dir, 'scim-token'), 'utf8').trim()
      for (const email of ['ada@example.com', 'grace@example.com']) {
        const res = await fetch(`${bridge.url}/Users`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify({ userName: email, active: true }) })
        expect(res.status).toBe(201)
      }
      const auditCount = async (): Promise<number> => {
        const store = await createStore(env.DATABASE_URL)
        try { return (await store.listAudit({ limit: 1000 })).filter((e) => e.action === 'invite').length } finally { await store.close() }
      }
      await until('both users invited in both demo projects', async () => (await auditCount()) === 4)
      const dry = await runCli(['reconcile', '--dry-run', '--json'], env)
      expect(dry.code, dry.stderr).toBe(0)
      expect((JSON.parse(dry.stdout) as DryRun).ops).toEqual([])
      const real = await runCli(['reconcile'], env)
      expect(real.code, real.out).toBe(0)
      expect(real.stderr).toMatch(/using the running bridge's simulator/)
      expect(await auditCount()).toBe(4)
    } finally {
      expect(await bridge.kill('SIGTERM')).toBe(0)
    }
    expect(existsSync(join(dir, 'sandbox-simulator.json'))).toBe(false)
    expect((await runCli(['reconcile', '--dry-run'], env)).code).toBe(2)
    expect(statSync(join(dir, 'sandbox-sinch-state.json')).mode & 0o777).toBe(0o600)

    // A restart keeps the simulated account: nothing to re-invite, and the reconciler agrees.
    const again = await spawnBridge(env)
    try {
      const dry = await runCli(['reconcile', '--dry-run', '--json'], env)
      expect(dry.code, dry.stderr).toBe(0)
      expect((JSON.parse(dry.stdout) as DryRun).ops).toEqual([])
      expect((await runCli(['reconcile'], env)).code).toBe(0)
      const store = await createStore(env.DATABASE_URL)
      try {
        expect((await store.listAudit({ limit: 1000 })).filter((e) => e.action === 'invite')).toHaveLength(4)
      } finally { await store.close() }
    } finally {
      expect(await again.kill('SIGTERM')).toBe(0)
    }
  }, 90_000)
})
