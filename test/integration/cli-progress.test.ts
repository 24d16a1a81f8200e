import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../src/simulator/index.js'
import { SIM_KEY, TEST_TOKEN } from '../support/bridge.js'
import { CLI } from '../support/child-bridge.js'
import { runCli } from '../support/run-cli.js'

/** util-linux's `script` runs a command on a pseudo-terminal: the CLI sees a TTY as in a shell. */
const hasScript = ((): boolean => { try { execFileSync('script', ['--version'], { stdio: 'ignore' }); return true } catch { return false } })()

async function onTerminal (args: string[], env: Record<string, string>): Promise<{ code: number | null, out: string }> {
  const cmd = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')
  return await new Promise((resolve) => {
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { out += d.toString() })
    child.once('exit', (code) => resolve({ code, out }))
  })
}

const PROGRESS = /reconcile: \d+\/2 projects, [\d,]+ members listed \([\d,]+\/s\), \d+\.\d s/
const jsonLines = (s: string): string[] => s.split(/\r?\n/).filter((l) => l.trimStart().startsWith('{"level"'))

describe('reconcile output on a terminal and off it (built CLI)', () => {
  let sim: Simulator
  let env: Record<string, string>
  beforeAll(async () => {
    sim = createSimulator({ projects: ['p1', 'p2'], keys: [{ id: SIM_KEY.id, secret: SIM_KEY.secret }] })
    sim.control.seed({ count: { project_id: 'p1', n: 1500 } })
    sim.control.seed({ count: { project_id: 'p2', n: 500 } })
    const url = await sim.listen(0)
    const dir = mkdtempSync(join(tmpdir(), 'cli-progress-'))
    env = { SINCH_KEY_ID: SIM_KEY.id, SINCH_KEY_SECRET: SIM_KEY.secret, SINCH_API_URL: url, SINCH_AUTH_URL: `${url}/oauth2/token`, SINCH_PROJECT_IDS: 'p1,p2', SCIM_BEARER_TOKEN: TEST_TOKEN, DATABASE_URL: `sqlite:${join(dir, 'b.db')}`, DATA_DIR: dir, LOG_LEVEL: 'info' }
  })
  afterAll(async () => { await sim.close() })

  it('off a terminal: no progress line, no carriage return; logs are JSON lines on stderr, the report alone on stdout', async () => {
    const r = await runCli(['reconcile'], env)
    expect(r.code, r.out).toBe(0)
    expect(r.out).not.toMatch(PROGRESS)
    expect(r.out).not.toContain('\r')
    const logs = r.stderr.split('\n').filter((l) => l !== '')
    expect(logs.length).toBeGreaterThan(0)
    for (const l of logs) expect(JSON.parse(l), l).toMatchObject({ service: 'sinch-scim-bridge' })
    expect(logs.some((l) => l.includes('"msg":"reconcile finished"'))).toBe(true)
    expect(r.stdout).toMatch(/^p1: 1500 members, 0 managed, 1500 not managed/)
    expect(r.stdout).toMatch(/reconcile ok in \d+ ms/)
    expect(jsonLines(r.stdout)).toEqual([])
  }, 60_000)

  it.skipIf(!hasScript)('on a terminal: the progress line appears and is cleared, logs are readable lines, no raw JSON', async () => {
    const r = await onTerminal(['reconcile'], env)
    expect(r.code, r.out).toBe(0)
    expect(r.out).toMatch(PROGRESS)
    expect(r.out).toMatch(/reconcile: 2\/2 projects, 2,000 members listed/)
    expect(r.out).toMatch(/\d\d:\d\d:\d\d INFO {2}reconciler: reconcile finished ok=true/)
    expect(jsonLines(r.out)).toEqual([])
    // The line is erased before the report: what the screen shows ends with the report alone.
    const beforeReport = r.out.slice(0, r.out.indexOf('p1: 1500 members'))
    expect(beforeReport.endsWith('\r\x1b[2K')).toBe(true)
    expect(r.out).toMatch(/reconcile ok in \d+ ms/)
  }, 60_000)

  it.skipIf(!hasScript)('on a terminal with --log-format json: JSON log lines (and still the progress line)', async () => {
    const r = await onTerminal(['reconcile', '--log-format', 'json'], env)
    expect(r.code, r.out).toBe(0)
    expect(jsonLines(r.out.split('\r\x1b[2K').join('\n')).length).toBeGreaterThan(0)
    expect(r.out).toMatch(PROGRESS)
  }, 60_000)

  it('a bad --log-format is usage, exit 2', async () => {
    const r = await runCli(['reconcile', '--log-format', 'xml'], env)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--log-format: "xml" is neither json nor pretty/)
  })
})
