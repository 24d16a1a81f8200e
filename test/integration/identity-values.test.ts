import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBridge, type TestBridge } from '../support/bridge.js'
import { CORE_USER, ENTERPRISE_USER, PATCH_OP } from '../support/urns.js'

/** userName and emails are what Sinch is asked to invite: they are checked before anything is stored. */
describe('identity values at the SCIM boundary', () => {
  let t: TestBridge
  beforeAll(async () => { t = await startTestBridge() })
  afterAll(async () => { await t.close() })

  const invites = async (): Promise<number> => (await t.simControl.requests()).filter((r) => r.route === 'invite').length
  const count = async (userName: string): Promise<number> => (await t.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.totalResults
  const patch = (...Operations: unknown[]): Record<string, unknown> => ({ schemas: [PATCH_OP], Operations })

  function refused (r: { status: number, body: any }, detail: RegExp): void {
    expect(r.status, JSON.stringify(r.body)).toBe(400)
    expect(r.body.scimType).toBe('invalidValue')
    expect(r.body.detail).toMatch(detail)
  }

  it('an invalid work email next to a valid home one is refused: nobody is invited at the other address', async () => {
    const before = await invites()
    const r = await t.scim('POST', '/Users', { schemas: [CORE_USER], userName: 'two.mails@example.com', emails: [{ value: 'not an email x@', type: 'work', primary: true }, { value: 'two.mails@home.example', type: 'home' }] })
    refused(r, /emails\[0\]\.value "not an email x@" is not a valid email address/)
    expect(await count('two.mails@example.com')).toBe(0)
    expect(await invites()).toBe(before)
  })

  it('POST, PUT and PATCH refuse userNames and emails that are not well-formed Unicode or carry control or bidi characters', async () => {
    const created = await t.scim('POST', '/Users', { schemas: [CORE_USER], userName: 'clean@example.com', emails: [{ value: 'clean@example.com', type: 'work' }] })
    expect(created.status).toBe(201)
    const id = String(created.body.id)
    const bad: Array<[string, RegExp]> = [
      ['lone\ud800@example.com', /not well-formed Unicode/],
      ['nul\u0000@example.com', /control character/],
      ['tab\t@example.com', /control character/],
      ['c1\u0085@example.com', /control character/],
      ['evil\u202Emoc.example@x.com', /bidirectional/],
      ['iso\u2066late@example.com', /bidirectional/]
    ]
    for (const [value, why] of bad) {
      refused(await t.scim('POST', '/Users', { schemas: [CORE_USER], userName: value }), why)
      refused(await t.scim('POST', '/Users', { schemas: [CORE_USER], userName: 'ok@example.com', emails: [{ value, type: 'work' }] }), why)
      refused(await t.scim('PUT', `/Users/${id}`, { schemas: [CORE_USER], userName: value, emails: [{ value: 'clean@example.com', type: 'work' }] }), why)
      refused(await t.scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'userName', value })), why)
      refused(await t.scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'emails[type eq "work"].value', value })), why)
    }
    const after = await t.scim('GET', `/Users/${id}`)
    expect(after.body).toMatchObject({ userName: 'clean@example.com', emails: [{ value: 'clean@example.com' }], meta: { version: created.body.meta.version } })
    expect((await t.scim('GET', '/Users?count=0')).body.totalResults).toBe(1)
  })

  it('what real directories hold is accepted, and a userName is checked only when it would be the address', async () => {
    for (const value of ['first.last+sinch@mail.eu.example.com', 'ada@bücher.example', 'josé@correo.example.es', '"quoted local"@example.org']) {
      const r = await t.scim('POST', '/Users', { schemas: [CORE_USER], userName: `u-${value}`, emails: [{ value, type: 'work' }] })
      expect(r.status, `${value}: ${JSON.stringify(r.body)}`).toBe(201)
    }
    expect((await t.scim('POST', '/Users', { schemas: [CORE_USER], userName: 'EXAMPLE-jdoe' })).status).toBe(201)
    refused(await t.scim('POST', '/Users', { schemas: [CORE_USER], userName: 'jdoe@corp' }), /userName "jdoe@corp" would be the email address/)
    expect((await t.scim('POST', '/Users', { schemas: [CORE_USER], userName: 'jdoe@corp', emails: [{ value: 'jdoe@corp.example', type: 'work' }] })).status).toBe(201)
  })
})

/** Entra before aadOptscim062020 wraps single values as [{"value": x}]: every such attribute stores x. */
describe('pre-flag single values wrapped in a list', () => {
  let t: TestBridge
  beforeAll(async () => { t = await startTestBridge() })
  afterAll(async () => { await t.close() })

  interface Attr { name: string, type: string, multiValued: boolean, mutability: string, canonicalValues?: string[], subAttributes?: Attr[] }

  it('every writable single-valued string and boolean attribute, core and enterprise, by Add and by Replace', async () => {
    const schemas = (await t.scim('GET', '/Schemas')).body.Resources as Array<{ id: string, attributes: Attr[] }>
    const paths: Array<{ path: string, type: string }> = []
    for (const s of schemas.filter((x) => x.id === CORE_USER || x.id === ENTERPRISE_USER)) {
      const prefix = s.id === CORE_USER ? '' : `${s.id}:`
      for (const a of s.attributes) {
        if (a.multiValued || a.mutability !== 'readWrite' || a.name === 'userName') continue
        if (a.type === 'string' || a.type === 'boolean') paths.push({ path: `${prefix}${a.name}`, type: a.type })
        if (a.type === 'complex') for (const sub of a.subAttributes ?? []) if (!sub.multiValued && sub.mutability === 'readWrite' && sub.type === 'string') paths.push({ path: `${prefix}${a.name}.${sub.name}`, type: sub.type })
      }
    }
    expect(paths.map((p) => p.path)).toEqual(expect.arrayContaining(['displayName', 'title', 'active', 'name.givenName', `${ENTERPRISE_USER}:employeeNumber`, `${ENTERPRISE_USER}:department`]))
    const user = await t.scim('POST', '/Users', { schemas: [CORE_USER], userName: 'wrapped@example.com', emails: [{ value: 'wrapped@example.com', type: 'work' }] })
    const id = String(user.body.id)
    /** `a`, `a.b`, `urn:…:User:a`, `urn:…:User:a.b` → the value in an answer. */
    const read = (body: any, path: string): unknown => {
      const ext = path.startsWith('urn:') ? path.slice(0, path.lastIndexOf(':')) : null
      const rest = ext === null ? path : path.slice(ext.length + 1)
      return rest.split('.').reduce((o: any, k) => o?.[k], ext === null ? body : body[ext])
    }
    for (const [i, { path, type }] of paths.entries()) {
      for (const op of ['Add', 'Replace']) {
        const value = type === 'boolean' ? (op === 'Add' ? 'False' : 'True') : `${op}-${i}`
        const expected = type === 'boolean' ? value === 'True' : value
        const r = await t.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op, path, value: [{ value }] }] })
        expect(r.status, `${op} ${path}: ${JSON.stringify(r.body)}`).toBe(200)
        expect(read(r.body, path), `${op} ${path}`).toEqual(expected)
      }
    }
  })
})
