import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { loadConfig } from '../../src/config/load.js'
import { createBridge, type Bridge, type BridgeOptions } from '../../src/main.js'
import { createLogger } from '../../src/observability/logger.js'
import { createSimulator, type SimStyle, type Simulator } from '../../src/simulator/index.js'

export const TEST_TOKEN = 'test-scim-token-0123456789abcdef'
export const SIM_KEY = { id: 'test-key', secret: 'test-key-secret-do-not-log-42' }

export interface SimMember { user_id: string, email: string, role: string, status: string, project_id: string }
export interface SimRequest { seq: number, method: string, path: string, route: string, projectId: string | null, status: number, body: unknown }

/** Talks to the simulator's /__sim/ control plane over HTTP, as an operator's script would. */
export class SimControl {
  /** `paths` speaks the simulator's own API style (guide or v1), for changes made "by hand". */
  constructor (readonly url: string, private readonly paths: Simulator['paths'] | null = null) {}
  async call (method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}/__sim/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body)
    })
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${await res.text()}`)
    const text = await res.text()
    return text === '' ? null : JSON.parse(text)
  }

  async members (projectId: string): Promise<SimMember[]> {
    const dump = await this.call('GET', `dump?project=${encodeURIComponent(projectId)}`) as { projects: Record<string, SimMember[]> }
    return dump.projects[projectId] ?? []
  }

  async requests (): Promise<SimRequest[]> {
    return (await this.call('GET', 'requests') as { requests: SimRequest[] }).requests
  }

  /** Changes made "in the Sinch dashboard": through the real member API with the test key. */
  async byHand (method: 'DELETE' | 'PATCH', projectId: string, email: string, body?: unknown): Promise<number> {
    const member = (await this.members(projectId)).find((m) => m.email.toLowerCase() === email.toLowerCase())
    if (member === undefined) throw new Error(`${email} is not in ${projectId}`)
    const auth = `Basic ${Buffer.from(`${SIM_KEY.id}:${SIM_KEY.secret}`).toString('base64')}`
    const res = await fetch(`${this.url}${this.paths?.member(projectId, member.user_id) ?? `/projects/${projectId}/members/${member.user_id}`}`, {
      method,
      headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body)
    })
    await res.arrayBuffer()
    return res.status
  }

  /** Successful invite POSTs per (project, lower-cased email): more than one is a double invite. */
  async inviteCounts (): Promise<Map<string, number>> {
    const counts = new Map<string, number>()
    for (const r of await this.requests()) {
      if (r.route !== 'invite' || r.status >= 300) continue
      const email = String((r.body as { email?: string }).email ?? '').toLowerCase()
      const key = `${r.projectId ?? ''}|${email}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    return counts
  }
}

export interface TestBridge {
  bridge: Bridge
  sim: Simulator
  simControl: SimControl
  url: string
  scimUrl: string
  logs: string[]
  scim: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number, body: any, headers: Headers }>
  close: () => Promise<void>
}

/**
 * A whole bridge on real HTTP (port 0) against a real simulator, with a fresh SQLite file.
 * `apiStyle` is the style the simulator speaks; the bridge is told that style unless
 * `env.SINCH_API_STYLE` says otherwise (`auto` to make it detect).
 */
export async function startTestBridge (opts: { env?: Record<string, string>, simulator?: Record<string, unknown>, bridge?: BridgeOptions, background?: boolean, apiStyle?: SimStyle } = {}): Promise<TestBridge> {
  const apiStyle = opts.apiStyle ?? 'guide'
  const sim = createSimulator({ projects: ['p1', 'p2', 'other'], keys: [{ id: SIM_KEY.id, secret: SIM_KEY.secret }], apiStyle, ...opts.simulator })
  const simUrl = await sim.listen(0, '127.0.0.1')
  const dir = mkdtempSync(join(tmpdir(), 'bridge-'))
  const loaded = loadConfig({
    SINCH_KEY_ID: SIM_KEY.id,
    SINCH_KEY_SECRET: SIM_KEY.secret,
    SINCH_PROJECT_IDS: 'p1,p2',
    SINCH_API_URL: simUrl,
    SINCH_AUTH_URL: `${simUrl}/oauth2/token`,
    SCIM_BEARER_TOKEN: TEST_TOKEN,
    DATABASE_URL: `sqlite:${join(dir, 'bridge.db')}`,
    DATA_DIR: dir,
    RECONCILE_INTERVAL: '3600',
    LOG_LEVEL: 'info',
    SINCH_API_STYLE: apiStyle,
    ...opts.env
  }, '/nonexistent/.env')
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
  const logs: string[] = []
  const sink = new Writable({ write (chunk, _enc, cb) { logs.push(...String(chunk).split('\n').filter((l) => l !== '')); cb() } })
  const bridge = await createBridge(loaded.config, {
    logger: createLogger('debug', sink),
    sinchRetry: { baseMs: 20, capMs: 300, maxAttempts: 8, deadlineMs: 10_000 },
    queueBackoff: { baseMs: 50, capMs: 500 },
    pollMs: 50,
    ...opts.bridge
  })
  const url = await bridge.app.listen({ port: 0, host: '127.0.0.1' })
  if (opts.background !== false) {
    bridge.startBackground()
    // The startup reconcile queues every user: a test starts after it, or it would re-run a
    // scenario's refused change at an unpredictable moment.
    await eventually(() => bridge.reconciler.lastReport() !== null)
  }
  const scimUrl = `${url}${loaded.config.scimBasePath}`
  const scim: TestBridge['scim'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${scimUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
      body: body === undefined ? null : JSON.stringify(body)
    })
    const text = await res.text()
    return { status: res.status, body: text === '' ? null : JSON.parse(text), headers: res.headers }
  }
  return {
    bridge,
    sim,
    simControl: new SimControl(simUrl, sim.paths),
    url,
    scimUrl,
    logs,
    scim,
    async close () {
      await bridge.close()
      await sim.close()
    }
  }
}

/** Polls until `fn` returns true or the time is up; the last error is rethrown for a clear failure. */
export async function eventually (fn: () => Promise<boolean> | boolean, timeoutMs = 15_000, stepMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs
  let lastErr: unknown = null
  while (Date.now() < end) {
    try {
      if (await fn()) return
      lastErr = null
    } catch (err) {
      lastErr = err
    }
    await new Promise((r) => setTimeout(r, stepMs))
  }
  throw lastErr instanceof Error ? lastErr : new Error('condition not met in time')
}
