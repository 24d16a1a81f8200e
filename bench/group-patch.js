// bench/group-patch: membership PATCHes (the shapes Okta and Entra send) on groups of 100 and
// 10,000 members, through the SCIM app in-process on a SQLite file. Prints ms per PATCH: each is
// event-loop time no other request gets.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const { createStore } = await import('../dist/store/index.js')
const { createDirectory } = await import('../dist/directory/index.js')
const { buildApp } = await import('../dist/app.js')
const { createLogger } = await import('../dist/observability/logger.js')

const dir = mkdtempSync(join(tmpdir(), 'bench-group-'))
const store = await createStore(`sqlite:${join(dir, 'b.db')}`)
const TOKEN = 'bench-token-0123456789abcdef'
const app = await buildApp({ logger: createLogger('silent'), scimBasePath: '/scim/v2', scimTokens: () => [TOKEN], directory: createDirectory(store) })
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' }
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const send = async (method, url, body) => {
  const r = await app.inject({ method, url, headers, payload: JSON.stringify(body) })
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`)
  return r.body === '' ? null : JSON.parse(r.body)
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

for (const size of [100, 10_000]) {
  const ids = []
  for (let i = 0; i <= size; i++) ids.push((await store.createUser({ userName: `m${size}-${i}@bench.example`, externalId: null, displayName: null, active: true, emails: [], resource: { userName: `m${size}-${i}@bench.example` } })).id)
  const g = await send('POST', '/scim/v2/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `group of ${size}`, members: ids.slice(0, size).map((value) => ({ value })) })
  const url = `/scim/v2/Groups/${g.id}?excludedAttributes=members`
  const cases = {
    'Okta add + rename': () => ({ Operations: [{ op: 'replace', value: { id: g.id, displayName: `group of ${size}` } }, { op: 'add', path: 'members', value: [{ value: ids[size] }] }] }),
    'Okta remove by filter': () => ({ Operations: [{ op: 'remove', path: `members[value eq "${ids[size]}"]` }] }),
    'Entra Add': () => ({ Operations: [{ op: 'Add', path: 'members', value: [{ value: ids[size] }] }] }),
    'Entra Remove by value': () => ({ Operations: [{ op: 'Remove', path: 'members', value: [{ value: ids[size] }] }] })
  }
  const out = []
  for (const [name, make] of Object.entries(cases)) {
    const times = []
    for (let i = 0; i < 15; i++) {
      const t0 = process.hrtime.bigint()
      await send('PATCH', url, { schemas: [PATCH], ...make() })
      times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    out.push(`${name} ${median(times.slice(5)).toFixed(1)} ms`)
  }
  console.log(`bench/group-patch, group of ${size.toLocaleString('en')} members (median of 10 after 5 warm-ups): ${out.join('; ')}`)
}
await app.close()
await store.close()
rmSync(dir, { recursive: true, force: true })
