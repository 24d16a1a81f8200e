import { afterEach, describe, expect, it } from 'vitest'
import { createSimulator, type Simulator } from '../../src/simulator/index.js'

const KEY = { id: 'k1', secret: 'initial-key-secret-value' }
let sim: Simulator | null = null
afterEach(async () => { await sim?.close(); sim = null })

async function start (opts: Parameters<typeof createSimulator>[0] = {}): Promise<{ url: string, sim: Simulator, tok: string }> {
  sim = createSimulator({ projects: ['p1', 'p2'], keys: [KEY], apiStyle: 'v1', bucket: { capacity: 1000, refillPerSec: 1000 }, ...opts })
  const url = await sim.listen(0)
  const res = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${KEY.id}:${KEY.secret}`).toString('base64')}` }, body: 'grant_type=client_credentials' })
  return { url, sim, tok: ((await res.json()) as { access_token: string }).access_token }
}

async function api (url: string, tok: string, method: string, path: string, body?: unknown): Promise<{ status: number, body: any, text: string }> {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? null : JSON.stringify(body) })
  const text = await res.text()
  let parsed: unknown = null
  try { parsed = JSON.parse(text) } catch { parsed = null }
  return { status: res.status, body: parsed, text }
}

describe('simulator, v1 style: Sinch\'s published Access Keys API shape', () => {
  it('lists without secrets, creates with 200 {accessKey, secret} once, gets, renames with PATCH {displayName}, deletes with 200 {}', async () => {
    const { url, tok, sim: s } = await start()
    const base = '/v1/projects/p1/accessKeys'
    const before = await api(url, tok, 'GET', base)
    expect(before.body).toEqual({ accessKeys: [expect.objectContaining({ accessKeyId: 'k1', projectId: 'p1' })], nextPageToken: '' })
    expect(before.text).not.toContain(KEY.secret)
    expect((await api(url, tok, 'POST', base, {})).status).toBe(400)
    const created = await api(url, tok, 'POST', base, { displayName: 'My production Access Key' })
    expect(created.status).toBe(200)
    const { accessKey, secret } = created.body as { accessKey: { accessKeyId: string, displayName: string, projectId: string, createTime: string, updateTime: string }, secret: string }
    expect(Object.keys(accessKey).sort()).toEqual(['accessKeyId', 'createTime', 'displayName', 'projectId', 'updateTime'])
    expect(accessKey).toMatchObject({ displayName: 'My production Access Key', projectId: 'p1' })
    expect(secret.length).toBeGreaterThanOrEqual(16)
    const one = await api(url, tok, 'GET', `${base}/${accessKey.accessKeyId}`)
    expect(one.body).toEqual(accessKey)
    expect(one.text).not.toContain(secret)
    const renamed = await api(url, tok, 'PATCH', `${base}/${accessKey.accessKeyId}`, { displayName: 'Renamed' })
    expect(renamed).toMatchObject({ status: 200, body: { accessKeyId: accessKey.accessKeyId, displayName: 'Renamed' } })
    expect((await api(url, tok, 'DELETE', `${base}/${accessKey.accessKeyId}`))).toMatchObject({ status: 200, body: {} })
    expect((await api(url, tok, 'GET', `${base}/${accessKey.accessKeyId}`)).status).toBe(404)
    expect(JSON.stringify(s.control.requests())).not.toContain(secret)
  })

  it('allows at most 10 keys per project', async () => {
    const { url, tok } = await start({ keys: [{ ...KEY, projects: ['p1'] }] })
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) statuses.push((await api(url, tok, 'POST', '/v1/projects/p1/accessKeys', { displayName: `key ${i}` })).status)
    expect(statuses).toEqual([...Array(9).fill(200), 400])
  })
})

describe('simulator, v1 style: members and knobs', () => {
  it('speaks camelCase with resource names, and answers 404 (logged as unmatched) on the guide\'s paths', async () => {
    const { url, tok, sim: s } = await start()
    const inv = await api(url, tok, 'POST', '/v1/projects/p1/members', { email: 'ann@x.io', role: 'MEMBER', displayName: 'Ann' })
    expect(inv.status).toBe(200)
    expect(Object.keys(inv.body).sort()).toEqual(['createTime', 'displayName', 'email', 'name', 'projectId', 'role', 'status', 'updateTime', 'userId'])
    expect(inv.body.name).toBe(`projects/p1/members/${String(inv.body.userId)}`)
    expect(inv.body.displayName).toBe('Ann')
    const guide = await api(url, tok, 'GET', '/projects/p1/members?page_size=1')
    expect(guide.status).toBe(404)
    expect(guide.body.error.status).toBe('NOT_FOUND')
    expect(s.control.requests().requests.at(-1)).toMatchObject({ route: 'unmatched', status: 404, method: 'GET' })
  })

  it('maxPageSize refuses larger pages; ignorePageToken serves page 1 for any token; roleNames rename the grantable roles', async () => {
    const { url, tok, sim: s } = await start({ maxPageSize: 20, roleNames: { OWNER: 'Owner', ADMIN: 'Administrator', MEMBER: 'Member', READONLY: 'Limited member' } })
    s.control.seed({ count: { project_id: 'p1', n: 30 } })
    const big = await api(url, tok, 'GET', '/v1/projects/p1/members?pageSize=21')
    expect(big.status).toBe(400)
    expect(big.body.error.details[0].fieldViolations[0].field).toBe('pageSize')
    const p1 = await api(url, tok, 'GET', '/v1/projects/p1/members?pageSize=20')
    expect(p1.body.members[0].role).toBe('Member')
    s.control.configure({ ignorePageToken: true })
    const again = await api(url, tok, 'GET', `/v1/projects/p1/members?pageSize=20&pageToken=${encodeURIComponent(String(p1.body.nextPageToken))}`)
    expect(again.body.members.map((m: { userId: string }) => m.userId)).toEqual(p1.body.members.map((m: { userId: string }) => m.userId))
    expect((await api(url, tok, 'POST', '/v1/projects/p1/members', { email: 'b@x.io', role: 'MEMBER' })).status).toBe(400)
    expect((await api(url, tok, 'POST', '/v1/projects/p1/members', { email: 'b@x.io', role: 'Administrator' })).body.role).toBe('Administrator')
  })
})
