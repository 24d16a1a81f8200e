import { spawn } from 'node:child_process'
import { mkdtempSync, statSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../src/simulator/index.js'
import { createStore } from '../../src/store/index.js'
import type { AuditEntry } from '../../src/domain/audit.js'
import { SIM_KEY, TEST_TOKEN } from '../support/bridge.js'
import { CLI, spawnBridge } from '../support/child-bridge.js'

function cli (args: string[], env: Record<string, string>, cwd?: string): Promise<{ code: number | null, out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { out += d.toString() })
    child.once('exit', (code) => resolve({ code, out }))
  })
}

describe('CLI (built) as an operator runs it', () => {
  let sim: Simulator
  let env: Record<string, string>
  let dir: string
  beforeAll(async () => {
    sim = createSimulator({ projects: ['p1', 'p2'], keys: [{ id: SIM_KEY.id, secret: SIM_KEY.secret }] })
    const url = await sim.listen(0)
    dir = mkdtempSync(join(tmpdir(), 'cli-'))
    env = { SINCH_KEY_ID: SIM_KEY.id, SINCH_KEY_SECRET: SIM_KEY.secret, SINCH_API_URL: url, SINCH_AUTH_URL: `${url}/oauth2/token`, SINCH_PROJECT_IDS: 'p1,p2', SCIM_BEARER_TOKEN: TEST_TOKEN, DATABASE_URL: `sqlite:${join(dir, 'b.db')}`, DATA_DIR: dir, LOG_LEVEL: 'warn' }
  })
  afterAll(async () => { await sim.close() })

  it('refuses invalid configuration with exit 2 and one line per problem, before listening', async () => {
    const r = await cli(['serve'], { PORT: 'x', SINCH_REGION: 'mars', SINCH_KEY_SECRET: 'do-not-print-me' })
    expect(r.code).toBe(2)
    expect(r.out).toMatch(/PORT: must be a whole number/)
    expect(r.out).toMatch(/SINCH_REGION: /)
    expect(r.out).toMatch(/SINCH_KEY_ID: is required/)
    expect(r.out).not.toContain('do-not-print-me')
  })

  it('refuses a bad mapping file the same way, naming the key', async () => {
    const file = join(dir, 'mapping.yaml')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, 'groups:\n  Admins:\n    - { project: p9, role: ADMIN }\n')
    const r = await cli(['serve'], { ...env, MAPPING_FILE: file, PORT: '0' })
    expect(r.code).toBe(2)
    expect(r.out).toMatch(/MAPPING_FILE: groups\.Admins\.0\.project: "p9" is not a managed project/)
  })

  it('prints help for every command', async () => {
    for (const c of ['serve', 'simulate', 'reconcile', 'token', 'doctor', 'audit', 'roles']) {
      const r = await cli([c, '--help'], {})
      expect(r.code, c).toBe(0)
      expect(r.out, c).toMatch(/^Usage: sinch-scim-bridge/)
    }
  })

  it('token: writes the sandbox token with mode 0600, or only prints one', async () => {
    const sandboxDir = mkdtempSync(join(tmpdir(), 'tok-'))
    const r = await cli(['token'], { DATA_DIR: sandboxDir })
    expect(r.code).toBe(0)
    const token = r.out.split('\n')[0] ?? ''
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(readFileSync(join(sandboxDir, 'scim-token'), 'utf8').trim()).toBe(token)
    expect(statSync(join(sandboxDir, 'scim-token')).mode & 0o777).toBe(0o600)
    expect((await cli(['token', '--print-only'], env)).out).toMatch(/^[A-Za-z0-9_-]{43}\n/)
  })

  it('doctor: a table of what works; a wrong secret fails without being printed', async () => {
    const ok = await cli(['doctor'], env)
    expect(ok.code).toBe(0)
    expect(ok.out).toMatch(/ok\s+database\s+sqlite reachable/)
    expect(ok.out).toMatch(/ok\s+sinch credentials\s+token obtained/)
    expect(ok.out).toMatch(/ok\s+project p2\s+listable/)
    const bad = await cli(['doctor'], { ...env, SINCH_KEY_SECRET: 'wrong-secret-value-123' })
    expect(bad.code).toBe(1)
    expect(bad.out).toMatch(/FAIL\s+sinch credentials\s+Sinch credentials rejected/)
    expect(bad.out).not.toContain('wrong-secret-value-123')
    expect(bad.out).toMatch(/key secret is wrong, or the access key was deleted/)
  })

  it('doctor --json --record: the probe as JSON, and a redacted transcript with no secret, token or address', async () => {
    sim.control.seed({ members: [{ project_id: 'p2', email: 'private.person@corp.example', role: 'MEMBER' }] })
    const file = join(dir, 'probe.json')
    const r = await cli(['doctor', '--json', '--record', file], { ...env, SINCH_API_STYLE: 'auto' })
    expect(r.code).toBe(0)
    const out = JSON.parse(r.out) as { ok: boolean, sinch: { credentials: { tokenLifetimeSec: number }, projects: Array<{ projectId: string, style: string, probes: Array<{ style: string, status: number }>, roles: Record<string, number> }> } }
    expect(out.ok).toBe(true)
    expect(out.sinch.credentials.tokenLifetimeSec).toBe(3599)
    expect(out.sinch.projects.map((p) => [p.projectId, p.style, p.probes.map((x) => `${x.style} ${x.status}`).join(', ')])).toEqual([['p1', 'guide', 'v1 404, guide 200'], ['p2', 'guide', 'v1 404, guide 200']])
    expect(out.sinch.projects[1]?.roles).toEqual({ MEMBER: 1 })
    expect(r.out).not.toContain('private.person@corp.example')
    const text = readFileSync(file, 'utf8')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(text).format).toBe('sinch-scim-bridge/transcript@1')
    expect(text).not.toContain(SIM_KEY.secret)
    expect(text).not.toContain('private.person@corp.example')
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/)
    expect(text).toContain('@example.invalid')
  })

  it('serve, then SIGTERM: finishes and exits 0 within 10 s; audit and reconcile --dry-run read what it did', async () => {
    const bridge = await spawnBridge(env)
    const res = await fetch(`${bridge.url}/Users`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' }, body: JSON.stringify({ userName: 'cli@example.com', active: true }) })
    expect(res.status).toBe(201)
    const started = Date.now()
    expect(await bridge.kill('SIGTERM')).toBe(0)
    expect(Date.now() - started).toBeLessThan(10_000)
    const audit = await cli(['audit', '--email', 'cli@example.com'], env)
    expect(audit.code).toBe(0)
    expect(audit.out.match(/invite/g)?.length).toBe(2)
    const json = JSON.parse((await cli(['audit', '--project', 'p1', '--json'], env)).out) as Array<{ action: string }>
    expect(json.map((e) => e.action)).toEqual(['invite'])
    const member = sim.control.dump('p1').projects.p1?.[0] as { user_id: string }
    const token = await (await fetch(`${sim.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&client_id=${SIM_KEY.id}&client_secret=${SIM_KEY.secret}` })).json() as { access_token: string }
    await fetch(`${sim.url}/projects/p1/members/${member.user_id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token.access_token}` } })
    sim.control.clearRequests()
    const dry = await cli(['reconcile', '--dry-run'], env)
    expect(dry.code).toBe(0)
    expect(dry.out).toMatch(/1 change\(s\) would be made:\n\s+p1\s+cli@example.com\s+invite as MEMBER/)
    expect(sim.control.requests().requests.filter((r) => r.method !== 'GET' && r.route !== 'token')).toEqual([])
    const real = await cli(['reconcile'], env)
    expect(real.code).toBe(0)
    expect(sim.control.dump('p1').projects.p1?.map((m) => (m as { email: string }).email)).toEqual(['cli@example.com'])
  }, 60_000)

  it('audit --user and --since keep only the matching entries', async () => {
    const auditDir = mkdtempSync(join(tmpdir(), 'audit-'))
    const auditEnv = { ...env, DATABASE_URL: `sqlite:${join(auditDir, 'b.db')}`, DATA_DIR: auditDir }
    const store = await createStore(auditEnv.DATABASE_URL)
    const ago = (h: number): string => new Date(Date.now() - h * 3_600_000).toISOString()
    const entry = (scimUserId: string, email: string, projectId: string, action: AuditEntry['action'], at: string): AuditEntry =>
      ({ at, scimUserId, email, projectId, action, fromRole: null, toRole: action === 'invite' ? 'MEMBER' : null, rule: 'default projects', outcome: 'ok', detail: null, durationMs: 5 })
    // Written in time order, as the bridge appends them.
    await store.appendAudit(entry('user-a', 'a@example.com', 'p2', 'invite', ago(72)))
    await store.appendAudit(entry('user-b', 'b@example.com', 'p1', 'invite', ago(30)))
    await store.appendAudit(entry('user-a', 'a@example.com', 'p1', 'invite', ago(2)))
    await store.appendAudit(entry('user-b', 'b@example.com', 'p1', 'remove', ago(1)))
    await store.close()
    const json = async (...args: string[]): Promise<string[]> => {
      const r = await cli(['audit', ...args, '--json'], auditEnv)
      expect(r.code, args.join(' ')).toBe(0)
      return (JSON.parse(r.out) as AuditEntry[]).map((e) => `${e.scimUserId ?? ''}:${e.projectId}:${e.action}`)
    }
    expect(await json()).toEqual(['user-b:p1:remove', 'user-a:p1:invite', 'user-b:p1:invite', 'user-a:p2:invite'])
    expect(await json('--user', 'user-a')).toEqual(['user-a:p1:invite', 'user-a:p2:invite'])
    expect(await json('--since', '24h')).toEqual(['user-b:p1:remove', 'user-a:p1:invite'])
    expect(await json('--since', '4d')).toHaveLength(4)
    expect(await json('--since', ago(48))).toEqual(['user-b:p1:remove', 'user-a:p1:invite', 'user-b:p1:invite'])
    expect(await json('--user', 'user-b', '--since', '90m')).toEqual(['user-b:p1:remove'])
    const text = await cli(['audit', '--user', 'user-a'], auditEnv)
    expect(text.code).toBe(0)
    const lines = text.out.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines.every((l) => l.includes('user=user-a') && l.includes('a@example.com'))).toBe(true)
    expect((await cli(['audit', '--user', 'nobody'], auditEnv)).out).toBe('no audit entries match\n')
    const bad = await cli(['audit', '--since', 'yesterday-ish'], auditEnv)
    expect(bad.code).toBe(2)
    expect(bad.out).toMatch(/--since: "yesterday-ish" is neither a duration/)
  })
})
