import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createSinchClient, SYNC_PAGE_SIZE, type SinchClient } from '../../src/sinch/index.js'
import { diagnose } from '../../src/sinch/diagnose.js'
import { TranscriptRecorder, TranscriptSchema, type Transcript } from '../../src/sinch/transcript.js'

const DIR = join(import.meta.dirname, '..', 'fixtures', 'sinch')
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()

let server: Server | null = null
let client: SinchClient | null = null
afterEach(async () => {
  await client?.close()
  server?.closeAllConnections()
  await new Promise<void>((resolve) => { if (server === null) resolve(); else server.close(() => resolve()) })
  server = null
  client = null
})

const canonical = (path: string): string => {
  const [base = '', query = ''] = path.split('?')
  const q = new URLSearchParams(query)
  q.sort()
  return `${base}?${q.toString()}`
}

/** Answers each request with the first unused recorded exchange of the same method and path. */
async function replay (t: Transcript): Promise<{ url: string, unused: () => number, strays: string[] }> {
  const used = new Set<number>()
  const strays: string[] = []
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const want = `${req.method ?? ''} ${canonical(req.url ?? '')}`
      const i = t.exchanges.findIndex((x, n) => !used.has(n) && `${x.request.method} ${canonical(x.request.path)}` === want)
      const x = t.exchanges[i]
      if (x === undefined) {
        strays.push(want)
        res.writeHead(599).end()
        return
      }
      used.add(i)
      res.writeHead(x.response.status, x.response.headers).end(x.response.body)
    })
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, unused: () => t.exchanges.length - used.size, strays }
}

describe('recorded Sinch transcripts replay against the client (test/fixtures/sinch)', () => {
  it('holds at least one transcript per API style', () => {
    const styles = files.map((f) => TranscriptSchema.parse(JSON.parse(readFileSync(join(DIR, f), 'utf8'))))
      .flatMap((t) => (t.expect as { projects: Array<{ style: string | null }> }).projects.map((p) => p.style))
    expect(new Set(styles)).toEqual(new Set(['guide', 'v1']))
  })

  it.each(files)('%s: the probe reproduces the recorded diagnosis, using every exchange and no other', async (file) => {
    const text = readFileSync(join(DIR, file), 'utf8')
    const t = TranscriptSchema.parse(JSON.parse(text))
    // Nothing secret in the file itself: no token, no Authorization value, no real address.
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/)
    expect(text).not.toMatch(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/)
    expect(text.match(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g)?.every((e) => e.endsWith('@example.invalid')) ?? true).toBe(true)
    const r = await replay(t)
    const token = t.exchanges.find((x) => x.request.path.includes('token'))?.request.path ?? '/oauth2/token'
    client = createSinchClient({ apiUrl: r.url, authUrl: `${r.url}${token}`, keyId: 'replay-key', keySecret: 'replay-secret', authMode: t.authMode, apiStyle: t.setting, retry: { baseMs: 1, capMs: 2, maxAttempts: 1, deadlineMs: 2_000 } })
    const d = await diagnose(client, { projects: t.projects, setting: t.setting, authMode: t.authMode, roleMap: t.roleMap ?? {}, pageSize: SYNC_PAGE_SIZE })
    expect(r.strays).toEqual([])
    expect(d).toEqual(t.expect)
    expect(r.unused()).toBe(0)
  })
})

describe('the transcript recorder', () => {
  it('keeps no token, secret or address, and replaces each id, name and page token by one stable placeholder', () => {
    const secret = 'key-secret-value-99'
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJraWQiOiJrIn0.c2lnbmF0dXJl'
    const rec = new TranscriptRecorder([secret])
    rec.record({ method: 'POST', path: '/oauth2/token', body: null, status: 200, headers: { 'content-type': 'application/json', 'set-cookie': 'sid=1' }, text: JSON.stringify({ access_token: jwt, expires_in: 3599 }) })
    rec.record({ method: 'GET', path: '/v1/projects/p/members?pageSize=1', body: null, status: 200, headers: {}, text: JSON.stringify({ members: [{ name: 'projects/p/members/u-42', userId: 'u-42', email: 'Ann@Corp.com', displayName: 'Ann Real' }], nextPageToken: 'opaque-1' }) })
    rec.record({ method: 'GET', path: '/v1/projects/p/members?pageSize=1&pageToken=opaque-1', body: null, status: 409, headers: { 'www-authenticate': `Bearer ${jwt}` }, text: JSON.stringify({ error: { message: `ann@corp.com exists; key ${secret}` } }) })
    const t = rec.transcript({ recordedAt: 'now', source: 'test', setting: 'v1', authMode: 'oauth', projects: ['p'], expect: null })
    const text = JSON.stringify(t)
    for (const bad of [secret, jwt, 'Ann@Corp.com', 'ann@corp.com', 'Ann Real', 'u-42', 'opaque-1', 'set-cookie']) expect(text).not.toContain(bad)
    expect(t.exchanges[1]?.response.body).toBe(JSON.stringify({ members: [{ name: 'projects/p/members/user-1', userId: 'user-1', email: 'member1@example.invalid', displayName: 'Member 1' }], nextPageToken: 'page-token-1' }))
    // The same page token and the same address get the same placeholders wherever they recur.
    expect(t.exchanges[2]?.request.path).toBe('/v1/projects/p/members?pageSize=1&pageToken=page-token-1')
    expect(t.exchanges[2]?.response.body).toContain('member1@example.invalid exists')
  })
})
