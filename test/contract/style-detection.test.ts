import { afterEach, describe, expect, it } from 'vitest'
import { createSimulator, SIM_STYLES, type SimStyle, type Simulator } from '../../src/simulator/index.js'
import { createSinchClient, SinchError, type ApiStyleName, type SinchClient, type StylePersistence } from '../../src/sinch/index.js'

const KEY = { id: 'detect-key', secret: 'detect-secret-never-logged' }
const sims: Simulator[] = []
const clients: SinchClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close()
  for (const s of sims.splice(0)) await s.close()
})

async function simulator (style: SimStyle): Promise<{ sim: Simulator, url: string }> {
  const sim = createSimulator({ projects: ['p1', 'p2'], keys: [KEY], apiStyle: style, bucket: { capacity: 500, refillPerSec: 500 } })
  sims.push(sim)
  return { sim, url: await sim.listen(0) }
}

function client (url: string, persistence?: StylePersistence): SinchClient {
  const c = createSinchClient({ apiUrl: url, authUrl: `${url}/oauth2/token`, keyId: KEY.id, keySecret: KEY.secret, authMode: 'oauth', apiStyle: 'auto', retry: { baseMs: 5, capMs: 20, maxAttempts: 3, deadlineMs: 5_000 }, ...(persistence === undefined ? {} : { stylePersistence: persistence }) })
  clients.push(c)
  return c
}

function memory (initial: string | null = null): StylePersistence & { value: string | null, saves: string[] } {
  const m = {
    value: initial,
    saves: [] as string[],
    load: async () => m.value,
    save: async (s: ApiStyleName) => { m.value = s; m.saves.push(s) }
  }
  return m
}

const trail = (s: Simulator): string[] => s.control.requests().requests.filter((r) => r.route !== 'token').map((r) => `${r.method} ${r.path.split('?')[0] ?? ''} ${r.status}`)

describe.each(SIM_STYLES)('auto detection against a %s simulator', (style) => {
  const base = style === 'v1' ? '/v1/projects' : '/projects'

  it('probes read-only with the smallest page before the first write, then speaks the style that answered', async () => {
    const { sim, url } = await simulator(style)
    const kept = memory()
    const c = client(url, kept)
    expect(c.apiStyle()).toBeNull()
    // Twenty writes at once, before anything is known: one detection, and every invite after it.
    await Promise.all(Array.from({ length: 20 }, async (_, i) => await c.invite('p1', { email: `d${i}@x.io`, role: 'MEMBER' })))
    expect(c.apiStyle()).toBe(style)
    const log = sim.control.requests().requests.filter((r) => r.route !== 'token')
    const probes = log.filter((r) => r.route === 'list' || r.route === 'unmatched')
    expect(probes.map((r) => `${r.path.split('?')[0] ?? ''} ${r.status}`)).toEqual(style === 'v1'
      ? ['/v1/projects/p1/members 200']
      : ['/v1/projects/p1/members 404', '/projects/p1/members 200'])
    expect(probes.every((r) => /[?&](pageSize|page_size)=1(&|$)/.test(r.path))).toBe(true)
    const firstWrite = log.findIndex((r) => r.method !== 'GET')
    expect(firstWrite).toBe(probes.length)
    expect(log.slice(firstWrite).every((r) => r.path.startsWith(`${base}/p1/members`) && r.status < 300)).toBe(true)
    expect(sim.control.dump('p1').projects.p1).toHaveLength(20)
    expect(kept.saves).toEqual([style])
  })

  it('a restart with the style kept in the store does not probe again', async () => {
    const { sim, url } = await simulator(style)
    const c = client(url, memory(style))
    await c.invite('p1', { email: 'restart@x.io', role: 'MEMBER' })
    expect(trail(sim)).toEqual([`POST ${base}/p1/members ${style === 'v1' ? 200 : 201}`])
  })

  it('a kept style that stopped answering is probed anew on the next listing, and the new one kept', async () => {
    const { sim, url } = await simulator(style)
    const other: ApiStyleName = style === 'v1' ? 'guide' : 'v1'
    const kept = memory(other)
    const c = client(url, kept)
    sim.control.seed({ members: [{ project_id: 'p1', email: 'seen@x.io', role: 'MEMBER' }] })
    const listed: string[] = []
    for await (const m of c.listMembers('p1')) listed.push(m.email)
    expect(listed).toEqual(['seen@x.io'])
    expect(c.apiStyle()).toBe(style)
    expect(kept.value).toBe(style)
  })
})

describe('auto detection when nothing answers', () => {
  it('a project the key may not use fails the detection with its 403, and no write is sent', async () => {
    const { sim, url } = await simulator('v1')
    const c = client(url)
    const err = await c.invite('nope', { email: 'never@x.io', role: 'MEMBER' }).catch((e: unknown) => e) as SinchError
    expect(err).toBeInstanceOf(SinchError)
    expect(err.status).toBe(403)
    expect(c.apiStyle()).toBeNull()
    expect(sim.control.requests().requests.filter((r) => r.route === 'invite')).toHaveLength(0)
  })

  it('an unknown project answered 404 in both shapes is SINCH_STYLE_UNKNOWN, naming what each answered', async () => {
    const { sim, url } = await simulator('guide')
    sim.control.configure({ unknownProject: '404' })
    const c = client(url)
    const err = await c.removeMember('eu-only', 'u1').catch((e: unknown) => e) as SinchError
    expect(err.code).toBe('SINCH_STYLE_UNKNOWN')
    expect(err.message).toContain('v1: 404, guide: 404')
    expect(sim.control.requests().requests.filter((r) => r.route === 'remove')).toHaveLength(0)
  })
})
