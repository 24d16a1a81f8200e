// bench/coerce: what checking a SCIM body costs before the store is asked — userInput on the
// bench's POST body and on Okta's create body, once through the plain path (plain-coerce.ts) and
// once through SCIMMY (the same body with one extra key cased otherwise, which sends it there),
// and patchUser on the bench's PATCH (replace name.givenName). Prints µs per body.
const { userInput } = await import('../dist/scim/resources.js')
const { patchUser } = await import('../dist/scim/patch.js')
const N = Number(process.env.BENCH_N ?? 20000)
function time (name, f) {
  for (let i = 0; i < 2000; i++) f(i) // warm-up: JIT
  const t = process.hrtime.bigint()
  for (let i = 0; i < N; i++) f(i)
  console.log(`${name.padEnd(40)} ${(Number(process.hrtime.bigint() - t) / 1e3 / N).toFixed(2)} µs`)
}
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User'
const post = (i) => ({ schemas: [CORE], userName: `new-${i}@bench.example`, emails: [{ value: `new${i}@bench.example`, type: 'work' }] })
const okta = (i) => ({ schemas: [CORE], userName: `u${i}@example.com`, name: { givenName: 'Isaac', familyName: 'Brock' }, emails: [{ primary: true, value: `u${i}@example.com`, type: 'work' }], displayName: 'Isaac Brock', locale: 'en-US', externalId: `00u${i}`, groups: [], password: '1mz050nq', active: true })
const viaScimmy = (body) => ({ ...body, NickName: undefined })
time('userInput, bench POST body, plain', (i) => userInput(post(i), null))
time('userInput, bench POST body, SCIMMY', (i) => userInput(viaScimmy(post(i)), null))
time('userInput, Okta create body, plain', (i) => userInput(okta(i), null))
time('userInput, Okta create body, SCIMMY', (i) => userInput(viaScimmy(okta(i)), null))
const email = 'user1@bench.example'
const record = { id: '0190a0b0-0000-7000-8000-000000000001', userName: email, externalId: 'ext-1', displayName: 'User 1', active: true, emails: [{ value: email, type: 'work', primary: true }], resource: { schemas: [CORE], userName: email, name: { givenName: 'User', familyName: '1' }, emails: [{ value: email, type: 'work', primary: true }], active: true }, version: 3, created: '2026-01-01T00:00:00.000Z', lastModified: '2026-01-01T00:00:00.000Z' }
const patch = (i) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'name.givenName', value: `G${i}` }] })
// patchUser is async only for SCIMMY's way; the fast path settles at once, so the loop measures it.
time('patchUser, replace name.givenName', (i) => { void patchUser(record, patch(i)) })
