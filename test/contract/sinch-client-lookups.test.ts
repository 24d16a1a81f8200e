import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createSimulator, SIM_STYLES, type Simulator } from '../../src/simulator/index.js'
import { createSinchClient, type SinchClient } from '../../src/sinch/index.js'

const KEY = { id: 'lookup-key', secret: 'lookup-secret-never-logged' }
let sim: Simulator | null = null
let client: SinchClient | null = null
let hold: Server | null = null
afterEach(async () => {
  await client?.close()
  await sim?.close()
  hold?.closeAllConnections()
  await new Promise<void>((resolve) => { if (hold === null) resolve(); else hold.close(() => resolve()) })
  sim = null
  client = null
  hold = null
})

describe.each(SIM_STYLES)('409 lookups and shutdown (%s style)', (style) => {
  // Issue 17: each 409 used to list the whole project. A 2,000-member project is 20 pages of 100.
  it('thirty 409s on a 2,000-member project cost one listing, not thirty', async () => {
    sim = createSimulator({ projects: ['big'], keys: [KEY], apiStyle: style, bucket: { capacity: 5000, refillPerSec: 5000 }, includeResourceName: false })
    const url = await sim.listen(0)
    sim.control.seed({ count: { project_id: 'big', n: 2000 } })
    client = createSinchClient({ apiUrl: url, authUrl: `${url}/oauth2/token`, keyId: KEY.id, keySecret: KEY.secret, authMode: 'oauth', apiStyle: style })
    const c = client
    const emails = Array.from({ length: 30 }, (_, i) => `member${i * 60}@big.example`)
    // Half at once, half one after another: concurrent lookups share one listing, later ones reuse it.
    const first = await Promise.all(emails.slice(0, 15).map(async (email) => await c.invite('big', { email, role: 'MEMBER' })))
    const rest = []
    for (const email of emails.slice(15)) rest.push(await c.invite('big', { email, role: 'MEMBER' }))
    expect([...first, ...rest].every((r) => r.adopted)).toBe(true)
    expect([...first, ...rest].map((r) => r.member.email)).toEqual(emails)
    const lists = sim.control.requests().requests.filter((r) => r.route === 'list')
    expect(lists).toHaveLength(20)
  })

  it('a member invited after the cached listing is still found on its 409 (the listing is rebuilt once)', async () => {
    sim = createSimulator({ projects: ['p'], keys: [KEY], apiStyle: style, bucket: { capacity: 5000, refillPerSec: 5000 }, includeResourceName: false })
    const url = await sim.listen(0)
    sim.control.seed({ members: [{ project_id: 'p', email: 'old@x.io', role: 'MEMBER' }] })
    client = createSinchClient({ apiUrl: url, authUrl: `${url}/oauth2/token`, keyId: KEY.id, keySecret: KEY.secret, authMode: 'oauth', apiStyle: style })
    expect((await client.invite('p', { email: 'old@x.io', role: 'MEMBER' })).adopted).toBe(true)
    // Added "in the dashboard" after the listing was cached.
    sim.control.seed({ members: [{ project_id: 'p', email: 'late@x.io', role: 'ADMIN' }] })
    const late = await client.invite('p', { email: 'late@x.io', role: 'MEMBER' })
    expect(late).toMatchObject({ adopted: true, member: { email: 'late@x.io', role: 'ADMIN' } })
    expect(sim.control.requests().requests.filter((r) => r.route === 'list')).toHaveLength(2)
  })
})

describe('close() and a token endpoint that never answers', () => {
  it('ends the token fetch at once instead of waiting out the headers timeout', async () => {
    hold = createServer(() => { /* never answers */ })
    await new Promise<void>((resolve) => hold?.listen(0, '127.0.0.1', resolve))
    const { port } = hold.address() as AddressInfo
    const url = `http://127.0.0.1:${port}`
    client = createSinchClient({ apiUrl: 'http://127.0.0.1:9', authUrl: `${url}/oauth2/token`, keyId: 'k', keySecret: 'never-answered-secret', authMode: 'oauth', apiStyle: 'guide', timeouts: { headersMs: 20_000 } })
    const pending = client.invite('p', { email: 'a@x.io', role: 'MEMBER' }).then(() => null, (e: unknown) => e as Error)
    await new Promise((r) => setTimeout(r, 100))
    const started = Date.now()
    await client.close()
    const err = await pending
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(err?.message).toMatch(/closed/)
  })
})
