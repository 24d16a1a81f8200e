import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.js'
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER, ERROR, LIST_RESPONSE, PATCH_OP } from '../support/urns.js'

/**
 * The request sequences the IdPs' own validators send, replayed in order, asserting what those
 * validators assert. Three sources:
 * - Okta's "SCIM 2.0 SPEC Test" (the Runscope suite linked from developer.okta.com, "Test your SCIM
 *   API") and the request samples of Okta's SCIM 2.0 reference.
 * - A captured Microsoft SCIM Validator session (scimvalidator.microsoft.com, User and Group
 *   suites: every body shape below is the validator's own, values shortened).
 * - The request/response samples of Microsoft's "Tutorial: Develop and plan provisioning for a SCIM
 *   endpoint" and "Known issues and resolutions with SCIM 2.0 compliance".
 * What test/fixtures/idp and scim-protocol.test.ts already cover is not repeated here.
 */

const B = '/scim/v2'
const [U, G, E, PATCH, LIST] = [CORE_USER, CORE_GROUP, ENTERPRISE_USER, PATCH_OP, LIST_RESPONSE]

type Res = Awaited<ReturnType<TestApp['request']>>
type Op = { op: string, path?: string, value?: unknown }

const q = (filter: string): string => encodeURIComponent(filter)
const patch = (...ops: Op[]): { body: { schemas: string[], Operations: Op[] } } => ({ body: { schemas: [PATCH], Operations: ops } })

/** What Okta's Runscope suite and Entra check on every SCIM error: status, Error schema, a detail. */
function scimError (r: Res, status: number): void {
  expect(r.status, r.text.slice(0, 300)).toBe(status)
  expect(r.headers.get('content-type')).toContain('application/scim+json')
  expect(r.body.schemas).toContain(ERROR)
  expect(r.body.status).toBe(String(status))
  expect(typeof r.body.detail).toBe('string')
  expect(r.body.detail).not.toBe('')
}

/** A ListResponse as Okta's suite checks it: schema, and the three paging numbers as integers. */
function listShape (r: Res): void {
  expect(r.status, r.text.slice(0, 300)).toBe(200)
  expect(r.body.schemas).toContain(LIST)
  for (const k of ['totalResults', 'startIndex', 'itemsPerPage']) expect(Number.isInteger(r.body[k]), k).toBe(true)
  expect(Array.isArray(r.body.Resources)).toBe(true)
}

async function timed (p: Promise<Res>): Promise<Res & { ms: number }> {
  const start = performance.now()
  const r = await p
  return { ...r, ms: performance.now() - start }
}

describe('Okta SCIM 2.0 SPEC test (Runscope), in its order', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp()
    // The suite starts by reading the first user and the groups: at least one of each must exist.
    const seed = await t.request('POST', `${B}/Users`, { body: { schemas: [U], userName: 'seed.user@okta.example', name: { givenName: 'Seed', familyName: 'User' }, emails: [{ primary: true, value: 'seed.user@okta.example', type: 'work' }], active: true } })
    expect(seed.status).toBe(201)
    expect((await t.request('POST', `${B}/Groups`, { body: { schemas: [G], displayName: 'Seed group', members: [] } })).status).toBe(201)
  })
  afterAll(async () => { await t.close() })

  const okta = { 'accept-charset': 'utf-8', accept: 'application/scim+json', 'user-agent': 'OKTA SCIM Integration' }

  it('Test Users endpoint, then Get Users/{{id}}: the first user carries id, name, userName, active and an email', async () => {
    const list = await timed(t.request('GET', `${B}/Users?count=1&startIndex=1`, { headers: okta }))
    listShape(list)
    expect(list.ms).toBeLessThan(600)
    expect(list.body.Resources.length).toBeGreaterThan(0)
    const first = list.body.Resources[0]
    for (const v of [first.id, first.name?.familyName, first.name?.givenName, first.userName, first.emails?.[0]?.value]) {
      expect(typeof v).toBe('string')
      expect(v).not.toBe('')
    }
    expect(typeof first.active).toBe('boolean')
    const one = await t.request('GET', `${B}/Users/${String(first.id)}`, { headers: okta })
    expect(one.status).toBe(200)
    expect(one.body).toMatchObject({ id: first.id, userName: first.userName, active: first.active, name: { familyName: first.name.familyName, givenName: first.name.givenName } })
    expect(one.body.emails[0].value).toBe(first.emails[0].value)
  })

  it('invalid user by userName and by id, create with realistic values, verify, recreate → 409, case check', async () => {
    const username = 'Karen.Vogel@okta-spec.example'
    const missing = await t.request('GET', `${B}/Users?filter=${q(`userName eq "${username}"`)}`, { headers: okta })
    listShape(missing)
    expect(missing.body.totalResults).toBe(0)
    scimError(await t.request('GET', `${B}/Users/00919288221112222`, { headers: okta }), 404)

    // The create steps send Content-Type application/json and Accept with a charset.
    const body = { schemas: [U], userName: username, name: { givenName: 'Karen', familyName: 'Vogel' }, emails: [{ primary: true, value: username, type: 'work' }], displayName: 'Karen Vogel', active: true }
    const headers = { 'content-type': 'application/json', accept: 'application/scim+json; charset=utf-8' }
    const created = await t.request('POST', `${B}/Users`, { body, headers })
    expect(created.status, created.text.slice(0, 300)).toBe(201)
    expect(created.body).toMatchObject({ active: true, userName: username, name: { givenName: 'Karen', familyName: 'Vogel' } })
    expect(created.body.schemas).toContain(U)
    expect(created.body.emails[0].value).toBe(username)
    const id = created.body.id as string
    expect(id).toBeTruthy()

    const verify = await t.request('GET', `${B}/Users/${id}`, { headers: okta })
    expect(verify.body).toMatchObject({ userName: username, name: { givenName: 'Karen', familyName: 'Vogel' } })

    const again = await t.request('POST', `${B}/Users`, { body, headers })
    scimError(again, 409)
    expect(again.body.scimType).toBe('uniqueness')

    const caps = await t.request('GET', `${B}/Users?filter=${q(`userName eq "${username.toUpperCase()}"`)}`, { headers: okta })
    listShape(caps)
    expect(caps.body.totalResults).toBe(1)
    expect(caps.body.Resources[0].id).toBe(id)
  })

  it('Verify Groups endpoint: 200 within 600 ms, Resources an array when there are groups', async () => {
    const groups = await timed(t.request('GET', `${B}/Groups`, { headers: okta }))
    listShape(groups)
    expect(groups.ms).toBeLessThan(600)
    expect(groups.body.totalResults).toBeGreaterThanOrEqual(1)
    expect(groups.body.Resources.length).toBeGreaterThanOrEqual(1)
  })

  it('Check status 401: an Authorization header that is not a bearer token gets a SCIM error with a detail', async () => {
    const r = await t.request('GET', `${B}/Users?filter=${q('userName eq "KAREN.VOGEL@OKTA-SPEC.EXAMPLE"')}`, { headers: { ...okta, authorization: 'non-token' } })
    scimError(r, 401)
  })
})

describe('Okta SCIM 2.0 reference request samples (developer.okta.com, "Okta and SCIM Version 2.0")', () => {
  let t: TestApp
  beforeAll(async () => { t = await buildTestApp() })
  afterAll(async () => { await t.close() })

  const oktaUser = (userName: string): Record<string, unknown> => ({
    schemas: [U], userName, name: { givenName: 'Test', familyName: 'User' }, emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Test User', locale: 'en-US', externalId: '00ujl29u0le5T6Aj10h7', groups: [], password: '1mz050nq', active: true
  })

  it('Update a specific user (PUT): GET, then PUT the whole body back with id, meta, groups and emails.display', async () => {
    const created = await t.request('POST', `${B}/Users`, { body: oktaUser('test.user@okta.local') })
    expect(created.status).toBe(201)
    const id = created.body.id as string
    const read = await t.request('GET', `${B}/Users/${id}`)
    expect(read.status).toBe(200)
    const put = await t.request('PUT', `${B}/Users/${id}`, {
      body: {
        schemas: [U], id, userName: 'test.user@okta.local', name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' },
        emails: [{ primary: true, value: 'test.user@okta.local', type: 'work', display: 'test.user@okta.local' }], active: true, groups: [], meta: { resourceType: 'User' }
      }
    })
    expect(put.status, put.text.slice(0, 300)).toBe(200)
    expect(put.body).toMatchObject({ id, userName: 'test.user@okta.local', active: true, name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' } })
    expect(put.body.emails).toEqual([{ primary: true, value: 'test.user@okta.local', type: 'work', display: 'test.user@okta.local' }])
    expect(put.body.meta.resourceType).toBe('User')
    const after = await t.request('GET', `${B}/Users/${id}`)
    expect(after.body.name).toEqual({ givenName: 'Another', middleName: 'Excited', familyName: 'User' })
  })

  it('Update a specific user (PATCH): password sync, deactivate and reactivate answer the updated user', async () => {
    const id = (await t.request('POST', `${B}/Users`, { body: oktaUser('sync.user@okta.local') })).body.id as string
    const sync = await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'replace', value: { password: 'n3w-Passw0rd!' } }))
    expect(sync.status, sync.text.slice(0, 300)).toBe(200)
    expect(sync.body).toMatchObject({ id, userName: 'sync.user@okta.local', active: true })
    expect(sync.text).not.toContain('n3w-Passw0rd')
    expect((await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'replace', value: { active: false } }))).body.active).toBe(false)
    const back = await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'replace', value: { active: true } }))
    expect(back.status).toBe(200)
    expect(back.body).toMatchObject({ id, active: true, name: { givenName: 'Test', familyName: 'User' } })
    expect((await t.request('GET', `${B}/Users/${id}`)).body.active).toBe(true)
  })

  it('Retrieve Groups page by page and a specific Group; AIW apps update the group with PUT', async () => {
    const u1 = (await t.request('POST', `${B}/Users`, { body: oktaUser('member.one@okta.local') })).body.id as string
    const u2 = (await t.request('POST', `${B}/Users`, { body: oktaUser('member.two@okta.local') })).body.id as string
    const ids: string[] = []
    for (const n of ['Test SCIMv2 A', 'Test SCIMv2 B', 'Test SCIMv2 C']) {
      const g = await t.request('POST', `${B}/Groups`, { body: { schemas: [G], displayName: n, members: [] } })
      expect(g.status).toBe(201)
      ids.push(g.body.id)
    }
    const page1 = await t.request('GET', `${B}/Groups?startIndex=1&count=2`)
    listShape(page1)
    expect(page1.body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 2 })
    const page2 = await t.request('GET', `${B}/Groups?startIndex=3&count=2`)
    expect(page2.body).toMatchObject({ totalResults: 3, startIndex: 3, itemsPerPage: 1 })
    const seen = [...page1.body.Resources, ...page2.body.Resources].map((g: { id: string }) => g.id)
    expect([...seen].sort()).toEqual([...ids].sort())
    const all = await t.request('GET', `${B}/Groups?startIndex=1&count=100`)
    expect(all.body.Resources.map((g: { id: string }) => g.id)).toEqual(seen)

    const gid = ids[0] as string
    const put = await t.request('PUT', `${B}/Groups/${gid}`, { body: { schemas: [G], id: gid, displayName: 'Test SCIMv20', members: [{ value: u1, display: 'member.one@okta.local' }, { value: u2, display: 'member.two@okta.local' }] } })
    expect(put.status, put.text.slice(0, 300)).toBe(200)
    expect(put.body.displayName).toBe('Test SCIMv20')
    const read = await t.request('GET', `${B}/Groups/${gid}`)
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({ id: gid, displayName: 'Test SCIMv20', meta: { resourceType: 'Group' } })
    expect(read.body.members.map((m: { value: string }) => m.value).sort()).toEqual([u1, u2].sort())
  })
})

describe('Microsoft SCIM Validator: User tests, in the validator\'s order', () => {
  let t: TestApp
  beforeAll(async () => { t = await buildTestApp() })
  afterAll(async () => { await t.close() })

  // The validator's create body, with the discovered attributes; primary as a JSON boolean.
  const validatorUser = (userName: string, externalId: string): Record<string, unknown> => ({
    userName,
    displayName: 'NFEVHBELHZIC',
    active: true,
    externalId,
    preferredLanguage: 'sr-Latn-BA',
    name: { formatted: 'Roscoe', familyName: 'Hallie', givenName: 'Kelsie', middleName: 'Jordi', honorificPrefix: 'Rigoberto', honorificSuffix: 'Mattie' },
    emails: [{ primary: true, value: `${userName.split('@')[0] ?? 'x'}@vonruedenrobel.name` }],
    phoneNumbers: [{ primary: true, value: '30-906-8350' }],
    addresses: [{ primary: true, streetAddress: '70744 May Isle', locality: 'CVOCVJICINFX', region: 'LYLOQMBOLELG', postalCode: 'ap9 3fz', country: 'Oman', formatted: 'KSDADLCFWFWH' }],
    [E]: { employeeNumber: 'NYFXVQAQAAUR', costCenter: 'JGWLVKRVAVCO', organization: 'QLGRRAKTETSZ', division: 'FYFJDXSNADAK', department: 'NQAMYJPUPBDQ', manager: { value: 'XHBAQLNZLSRQ' } },
    schemas: [U, E]
  })

  async function create (userName: string, externalId: string): Promise<string> {
    const r = await t.request('POST', `${B}/Users`, { body: validatorUser(userName, externalId) })
    expect(r.status, r.text.slice(0, 300)).toBe(201)
    return r.body.id as string
  }

  it('Create User echoes every attribute sent, a duplicate is 409, the filter finds it with all of them', async () => {
    const sent = validatorUser('trevion_howe@schaden.us', '67c9fa13-d1ec-443f-a476-8d64b38ad041')
    const r = await t.request('POST', `${B}/Users`, { body: sent })
    expect(r.status, r.text.slice(0, 300)).toBe(201)
    const { schemas: _s, ...attributes } = sent
    expect(r.body).toMatchObject(attributes)
    expect(r.body.schemas).toEqual(expect.arrayContaining([U, E]))
    expect(r.headers.get('location')).toBe(r.body.meta.location)
    expect(r.headers.get('etag')).toBe(r.body.meta.version)

    const dup = await t.request('POST', `${B}/Users`, { body: sent })
    scimError(dup, 409)
    expect(dup.body.scimType).toBe('uniqueness')

    const found = await t.request('GET', `${B}/Users?filter=userName+eq+%22trevion_howe%40schaden.us%22`)
    listShape(found)
    expect(found.body.totalResults).toBe(1)
    expect(found.body.Resources[0]).toMatchObject({ id: r.body.id, ...attributes })
  })

  it('Patch User: a no-path replace of userName', async () => {
    const id = await create('flavie.reinger@gradywillms.uk', 'def53ace-457c-47d4-9724-697215f8f3de')
    const r = await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'replace', value: { userName: 'brennan.kunze@raynorrunolfsson.us' } }))
    expect(r.status, r.text.slice(0, 300)).toBe(200)
    expect(r.body).toMatchObject({ id, userName: 'brennan.kunze@raynorrunolfsson.us', displayName: 'NFEVHBELHZIC', externalId: 'def53ace-457c-47d4-9724-697215f8f3de' })
    expect((await t.request('GET', `${B}/Users?filter=${q('userName eq "brennan.kunze@raynorrunolfsson.us"')}`)).body.totalResults).toBe(1)
    expect((await t.request('GET', `${B}/Users?filter=${q('userName eq "flavie.reinger@gradywillms.uk"')}`)).body.totalResults).toBe(0)
  })

  it('Patch User: [primary eq true] value paths together with one no-path replace of dotted and URN keys', async () => {
    const id = await create('mya_kassulke@mcglynngutkowski.info', '88b9c01a-4fbc-49f6-b758-87b045d7e613')
    const r = await t.request('PATCH', `${B}/Users/${id}`, patch(
      { op: 'replace', path: 'emails[primary eq true].value', value: 'herman@schillerfeest.ca' },
      { op: 'replace', path: 'phoneNumbers[primary eq true].value', value: '26-704-7690' },
      { op: 'replace', path: 'addresses[primary eq true].streetAddress', value: '0641 Nicolette Ford' },
      { op: 'replace', path: 'addresses[primary eq true].locality', value: 'EVWAFXMLCQTA' },
      { op: 'replace', path: 'addresses[primary eq true].region', value: 'TNZOYOLOBCQW' },
      { op: 'replace', path: 'addresses[primary eq true].postalCode', value: 'vz2 8wy' },
      { op: 'replace', path: 'addresses[primary eq true].country', value: 'Saint Lucia' },
      { op: 'replace', path: 'addresses[primary eq true].formatted', value: 'KKKZJIWOYXPY' },
      {
        op: 'replace',
        value: {
          displayName: 'GDBJCZJKPEVP', active: true, externalId: '3dc3791c-ad90-42fc-b0dc-d8b3d34446cf', preferredLanguage: 'en-SB',
          'name.formatted': 'Cristian', 'name.familyName': 'Tyra', 'name.givenName': 'Palma', 'name.middleName': 'Hoyt', 'name.honorificPrefix': 'Afton', 'name.honorificSuffix': 'Karianne',
          [`${E}:employeeNumber`]: 'KCQMVVORFVMD', [`${E}:costCenter`]: 'YBUWMMPYBPTL', [`${E}:organization`]: 'CJELDRSZWDKV', [`${E}:division`]: 'SUHYXHBBKKVA', [`${E}:department`]: 'ZQYEWMCNFWHA'
        }
      }
    ))
    expect(r.status, r.text.slice(0, 300)).toBe(200)
    const expected = {
      id,
      userName: 'mya_kassulke@mcglynngutkowski.info',
      displayName: 'GDBJCZJKPEVP',
      active: true,
      externalId: '3dc3791c-ad90-42fc-b0dc-d8b3d34446cf',
      preferredLanguage: 'en-SB',
      name: { formatted: 'Cristian', familyName: 'Tyra', givenName: 'Palma', middleName: 'Hoyt', honorificPrefix: 'Afton', honorificSuffix: 'Karianne' },
      emails: [{ primary: true, value: 'herman@schillerfeest.ca' }],
      phoneNumbers: [{ primary: true, value: '26-704-7690' }],
      addresses: [{ primary: true, streetAddress: '0641 Nicolette Ford', locality: 'EVWAFXMLCQTA', region: 'TNZOYOLOBCQW', postalCode: 'vz2 8wy', country: 'Saint Lucia', formatted: 'KKKZJIWOYXPY' }],
      [E]: { employeeNumber: 'KCQMVVORFVMD', costCenter: 'YBUWMMPYBPTL', organization: 'CJELDRSZWDKV', division: 'SUHYXHBBKKVA', department: 'ZQYEWMCNFWHA', manager: { value: 'XHBAQLNZLSRQ' } }
    }
    expect(r.body).toMatchObject(expected)
    expect(r.body.emails).toHaveLength(1)
    expect(r.body.addresses).toHaveLength(1)
    // The validator reads the user back by filter and compares every attribute.
    const back = await t.request('GET', `${B}/Users?filter=userName+eq+%22mya_kassulke%40mcglynngutkowski.info%22`)
    expect(back.body.Resources[0]).toMatchObject(expected)
  })

  it('Patch User: remove, add and replace, alone and folded into one request', async () => {
    const id = await create('queen@johnston.biz', 'ffe4b5f1-e80b-41b7-9939-add2b952c4df')
    const removed = await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'remove', path: 'displayName' }))
    expect(removed.status).toBe(200)
    expect(removed.body.displayName).toBeUndefined()
    expect(removed.body).toMatchObject({ userName: 'queen@johnston.biz', preferredLanguage: 'sr-Latn-BA' })

    const mixed = await t.request('PATCH', `${B}/Users/${id}`, patch(
      { op: 'remove', path: 'preferredLanguage' },
      { op: 'add', value: { displayName: 'JDLSYSVPAVAW' } },
      { op: 'replace', value: { externalId: '857e5462-558d-4548-af4c-80939155437c' } }
    ))
    expect(mixed.status, mixed.text.slice(0, 300)).toBe(200)
    expect(mixed.body).toMatchObject({ id, displayName: 'JDLSYSVPAVAW', externalId: '857e5462-558d-4548-af4c-80939155437c', name: { givenName: 'Kelsie' } })
    expect(mixed.body.preferredLanguage).toBeUndefined()

    const same = await t.request('PATCH', `${B}/Users/${id}`, patch(
      { op: 'remove', path: 'displayName' },
      { op: 'add', value: { displayName: 'KUNJNZZQLWAB' } },
      { op: 'replace', value: { displayName: 'TDMTMXCPPPUE' } }
    ))
    expect(same.status).toBe(200)
    expect(same.body.displayName).toBe('TDMTMXCPPPUE')
    const read = await t.request('GET', `${B}/Users/${id}`)
    expect(read.body).toMatchObject({ displayName: 'TDMTMXCPPPUE', externalId: '857e5462-558d-4548-af4c-80939155437c' })
    expect(read.body.preferredLanguage).toBeUndefined()
  })

  it('Patch User: the enterprise manager added as a bare id, then replaced, on an existing user', async () => {
    const boss = await create('aimee@cormier.info', '13c70f7b-e55d-4f8d-915f-86f1ef47e23a')
    const boss2 = await create('annetta@mayer.us', 'a79f1e70-5daa-46b4-b4c0-698a9e35a263')
    const id = await create('maureen_howe@flatley.us', 'f6125774-81da-4be4-a987-7b0f03561b1f')
    const add = await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'add', path: `${E}:manager`, value: boss }))
    expect(add.status).toBe(200)
    expect(add.body[E]).toMatchObject({ employeeNumber: 'NYFXVQAQAAUR', manager: { value: boss } })
    const replace = await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'replace', path: `${E}:manager`, value: boss2 }))
    expect(replace.body[E].manager).toMatchObject({ value: boss2 })
    expect((await t.request('GET', `${B}/Users/${id}`)).body[E].manager).toMatchObject({ value: boss2 })
  })

  it('Patch User - Disable User: the GET and the filter afterwards both carry active: false', async () => {
    const id = await create('izabella_paucek@sauercummings.us', '1c476dd3-6e79-42fb-abe5-bd5093d87dd3')
    const r = await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'replace', path: 'active', value: false }))
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ id, active: false, userName: 'izabella_paucek@sauercummings.us' })
    expect((await t.request('GET', `${B}/Users/${id}`)).body.active).toBe(false)
    const f = await t.request('GET', `${B}/Users?filter=userName+eq+%22izabella_paucek%40sauercummings.us%22`)
    expect(f.body.totalResults).toBe(1)
    expect(f.body.Resources[0]).toMatchObject({ id, active: false, displayName: 'NFEVHBELHZIC' })
  })

  it('Delete User: 204 with no body, then GET, PATCH and a second DELETE are 404 SCIM errors; so is an unknown id', async () => {
    const id = await create('columbus.grimes@rice.ca', '48887704-4d1e-4e9e-947f-92c7a69fcc14')
    const del = await t.request('DELETE', `${B}/Users/${id}`)
    expect(del.status).toBe(204)
    expect(del.text).toBe('')
    scimError(await t.request('GET', `${B}/Users/${id}`), 404)
    scimError(await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'replace', path: 'active', value: false })), 404)
    scimError(await t.request('DELETE', `${B}/Users/${id}`), 404)
    scimError(await t.request('DELETE', `${B}/Users/215b1d97-c25e-47ec-b776-545ea4055c30`), 404)
    const gone = await t.request('GET', `${B}/Users?filter=userName+eq+%22columbus.grimes%40rice.ca%22`)
    listShape(gone)
    expect(gone.body).toMatchObject({ totalResults: 0, Resources: [] })
  })
})

describe('Microsoft SCIM Validator: Group tests, in the validator\'s order', () => {
  let t: TestApp
  let u1 = ''
  let u2 = ''
  beforeAll(async () => {
    t = await buildTestApp()
    for (const n of ['member_jody@wiegandtremblay.info', 'member_golden.little@herman.info']) {
      const r = await t.request('POST', `${B}/Users`, { body: { schemas: [U], userName: n, active: true } })
      expect(r.status).toBe(201)
      if (u1 === '') u1 = r.body.id
      else u2 = r.body.id
    }
  })
  afterAll(async () => { await t.close() })

  async function group (displayName: string, externalId: string): Promise<string> {
    const r = await t.request('POST', `${B}/Groups`, { body: { displayName, externalId, schemas: [G] } })
    expect(r.status, r.text.slice(0, 300)).toBe(201)
    return r.body.id as string
  }

  it('Create Group without members: 201 echoes displayName and externalId, with an empty member list', async () => {
    const r = await t.request('POST', `${B}/Groups`, { body: { displayName: 'ULNPVJECSMUD', externalId: '5b988760-e19d-412e-9d34-2b79fa5a0a0c', schemas: [G] } })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ displayName: 'ULNPVJECSMUD', externalId: '5b988760-e19d-412e-9d34-2b79fa5a0a0c', members: [], meta: { resourceType: 'Group' } })
    expect(r.body.schemas).toEqual([G])
    expect(r.headers.get('location')).toBe(r.body.meta.location)
    expect(r.headers.get('etag')).toBe(r.body.meta.version)
    const f = await t.request('GET', `${B}/Groups?filter=displayName+eq+%22ULNPVJECSMUD%22`)
    listShape(f)
    expect(f.body.totalResults).toBe(1)
    expect(f.body.Resources[0]).toMatchObject({ id: r.body.id, externalId: '5b988760-e19d-412e-9d34-2b79fa5a0a0c', members: [] })
  })

  it('Patch Group: no-path replace of displayName, then of externalId, each leaving the other alone', async () => {
    const id = await group('IOVRLRERPCAW', '6e29062c-8975-4d0a-bc4c-89eb3ab0dfeb')
    const rename = await t.request('PATCH', `${B}/Groups/${id}`, patch({ op: 'replace', value: { displayName: 'FKKVNYEPEQZB' } }))
    expect(rename.status, rename.text.slice(0, 300)).toBe(200)
    expect(rename.body).toMatchObject({ id, displayName: 'FKKVNYEPEQZB', externalId: '6e29062c-8975-4d0a-bc4c-89eb3ab0dfeb', members: [] })
    const ext = await t.request('PATCH', `${B}/Groups/${id}`, patch({ op: 'replace', value: { externalId: 'c50acb27-f63e-47af-aab2-482557694cae' } }))
    expect(ext.status, ext.text.slice(0, 300)).toBe(200)
    expect(ext.body).toMatchObject({ id, displayName: 'FKKVNYEPEQZB', externalId: 'c50acb27-f63e-47af-aab2-482557694cae' })
    const read = await t.request('GET', `${B}/Groups/${id}`)
    expect(read.body).toMatchObject({ displayName: 'FKKVNYEPEQZB', externalId: 'c50acb27-f63e-47af-aab2-482557694cae', members: [] })
    expect((await t.request('GET', `${B}/Groups?filter=${q('displayName eq "IOVRLRERPCAW"')}`)).body.totalResults).toBe(0)
  })

  it('Patch Group: replace members, then add and remove the same member in one request', async () => {
    const id = await group('GDHRRHTBWFQE', 'c05ceb12-c9ef-4063-83df-9a34f8b9b697')
    const replaced = await t.request('PATCH', `${B}/Groups/${id}`, patch({ op: 'replace', path: 'members', value: [{ value: u1 }, { value: u2 }] }))
    expect(replaced.status).toBe(200)
    expect(replaced.body.members.map((m: { value: string }) => m.value)).toEqual([u1, u2])
    const one = await t.request('PATCH', `${B}/Groups/${id}`, patch({ op: 'remove', path: `members[value eq "${u1}"]` }))
    expect(one.body.members.map((m: { value: string }) => m.value)).toEqual([u2])

    const other = await group('CAICTRTRUFOI', '75cb7df8-a7ec-44ea-92ad-99f26d5cbc87')
    const both = await t.request('PATCH', `${B}/Groups/${other}`, patch({ op: 'add', path: 'members', value: [{ value: u1 }] }, { op: 'remove', path: `members[value eq "${u1}"]` }))
    expect(both.status, both.text.slice(0, 300)).toBe(200)
    expect(both.body.members).toEqual([])
    expect((await t.request('GET', `${B}/Groups/${other}`)).body.members).toEqual([])
    expect((await t.request('GET', `${B}/Groups/${id}`)).body.members.map((m: { value: string }) => m.value)).toEqual([u2])
  })

  it('Filter Groups: an unknown displayName is 200 with an empty list, with or without excludedAttributes=members', async () => {
    for (const path of [`${B}/Groups?filter=displayName+eq+%22nonexistente997dccbd8b7_FSDEPEZNVTEO%22`, `${B}/Groups?excludedAttributes=members&filter=${q('displayName eq "0f2c2b3e-1d7e-4f61-9c1c-2f0c4f0b7e11"')}`]) {
      const r = await t.request('GET', path)
      listShape(r)
      expect(r.body).toMatchObject({ totalResults: 0, Resources: [] })
    }
  })

  it('Delete Group: 204, then GET and a second DELETE are 404 SCIM errors, the filter finds nothing; so is an unknown id', async () => {
    const id = await group('WZEHISSKSAXC', '346656b1-6bee-4b1e-aa58-b13d83e6b4ca')
    await t.request('PATCH', `${B}/Groups/${id}`, patch({ op: 'add', path: 'members', value: [{ value: u1 }] }))
    const del = await t.request('DELETE', `${B}/Groups/${id}`)
    expect(del.status).toBe(204)
    expect(del.text).toBe('')
    scimError(await t.request('GET', `${B}/Groups/${id}`), 404)
    scimError(await t.request('DELETE', `${B}/Groups/${id}`), 404)
    scimError(await t.request('PATCH', `${B}/Groups/${id}`, patch({ op: 'replace', value: { displayName: 'x' } })), 404)
    scimError(await t.request('DELETE', `${B}/Groups/b5ff14be-3cb3-41ca-9e4a-476f9de1bc01`), 404)
    expect((await t.request('GET', `${B}/Groups?filter=displayName+eq+%22WZEHISSKSAXC%22`)).body.totalResults).toBe(0)
    // The member survives the group, without it.
    const member = await t.request('GET', `${B}/Users/${u1}`)
    expect(member.status).toBe(200)
    expect((member.body.groups ?? []).map((g: { value: string }) => g.value)).not.toContain(id)
  })
})

describe('Microsoft tutorial and known-issues request samples (Entra provisioning)', () => {
  let t: TestApp
  beforeAll(async () => { t = await buildTestApp() })
  afterAll(async () => { await t.close() })

  it('Create User (tutorial sample, with meta and empty roles) answers the user; Get User by query finds it', async () => {
    const body = {
      schemas: [U, E], externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee', active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com' }], meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' }, roles: []
    }
    const r = await t.request('POST', `${B}/Users`, { body })
    expect(r.status, r.text.slice(0, 300)).toBe(201)
    expect(r.body).toMatchObject({ externalId: body.externalId, userName: body.userName, active: true, name: body.name, emails: body.emails, meta: { resourceType: 'User' } })
    expect(typeof r.body.meta.created).toBe('string')
    expect(typeof r.body.meta.lastModified).toBe('string')
    const f = await t.request('GET', `${B}/Users?filter=${q(`userName eq "${body.userName}"`)}`)
    expect(f.body.totalResults).toBe(1)
    expect(f.body.Resources[0]).toMatchObject({ id: r.body.id, externalId: body.externalId })
  })

  it('Provision a user (tutorial example 2): explicit nulls and a misspelt extension URN are no obstacle', async () => {
    const r = await t.request('POST', `${B}/Users`, {
      body: {
        schemas: [U, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'], externalId: 'jyoung', userName: 'jyoung@testuser.com', active: true, addresses: null, displayName: 'Joy Young',
        emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }], meta: { resourceType: 'User' }, name: { familyName: 'Young', givenName: 'Joy' },
        phoneNumbers: null, preferredLanguage: null, title: null, department: null, manager: null
      }
    })
    expect(r.status, r.text.slice(0, 300)).toBe(201)
    expect(r.body).toMatchObject({ externalId: 'jyoung', userName: 'jyoung@testuser.com', displayName: 'Joy Young', emails: [{ value: 'jyoung@Contoso.com' }] })
    for (const k of ['addresses', 'phoneNumbers', 'preferredLanguage', 'title']) expect(r.body[k], k).toBeUndefined()
    const byExternalId = await t.request('GET', `${B}/Users?filter=${q('externalId eq "jyoung"')}`)
    expect(byExternalId.body.totalResults).toBe(1)
  })

  it('Update User [Single-valued properties], Add nickName, and Replace of several attributes without the flag', async () => {
    const id = (await t.request('POST', `${B}/Users`, { body: { schemas: [U, E], userName: 'single@testuser.com', displayName: 'Old', emails: [{ type: 'work', value: 'old@testuser.com', primary: true }], name: { givenName: 'G', familyName: 'F' }, [E]: { employeeNumber: '1' } } })).body.id as string
    const userName = await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }))
    expect(userName.status).toBe(200)
    expect(userName.body).toMatchObject({ id, userName: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com', name: { givenName: 'G' } })
    const nick = await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'Add', path: 'nickName', value: 'Babs' }))
    expect(nick.body.nickName).toBe('Babs')
    const several = await t.request('PATCH', `${B}/Users/${id}`, patch(
      { op: 'Replace', path: 'displayName', value: 'Pvlo' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
      { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
      { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
      { op: 'Replace', path: 'externalId', value: 'Eqpj' },
      { op: 'Replace', path: `${E}:employeeNumber`, value: 'Eqpj' }
    ))
    expect(several.status, several.text.slice(0, 300)).toBe(200)
    expect(several.body).toMatchObject({ displayName: 'Pvlo', externalId: 'Eqpj', nickName: 'Babs', name: { givenName: 'Gtfd', familyName: 'Pkqf' }, emails: [{ type: 'work', value: 'TestBcwqnm@test.microsoft.com', primary: true }], [E]: { employeeNumber: 'Eqpj' } })
    expect(several.body.emails).toHaveLength(1)
    expect((await t.request('GET', `${B}/Users?filter=${q('externalId eq "Eqpj"')}`)).body.Resources[0].id).toBe(id)
  })

  it('Create Group (sample with the ADSCIM schema URN and meta), then Add and Remove Members with "$ref": null', async () => {
    const member = (await t.request('POST', `${B}/Users`, { body: { schemas: [U], userName: 'member@testuser.com' } })).body.id as string
    const g = await t.request('POST', `${B}/Groups`, { body: { schemas: [G, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName', meta: { resourceType: 'Group' } } })
    expect(g.status, g.text.slice(0, 300)).toBe(201)
    expect(g.body).toMatchObject({ schemas: [G], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName', members: [], meta: { resourceType: 'Group' } })
    const id = g.body.id as string
    const add = await t.request('PATCH', `${B}/Groups/${id}`, patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: member }] }))
    expect([200, 204]).toContain(add.status)
    expect((await t.request('GET', `${B}/Groups/${id}`)).body.members.map((m: { value: string }) => m.value)).toEqual([member])
    const remove = await t.request('PATCH', `${B}/Groups/${id}`, patch({ op: 'Remove', path: 'members', value: [{ $ref: null, value: member }] }))
    expect([200, 204]).toContain(remove.status)
    expect((await t.request('GET', `${B}/Groups/${id}`)).body.members).toEqual([])
  })

  it('Update Group [Non-member attributes]: asked without the member list (excludedAttributes=members) it is 204 No Content', async () => {
    const id = (await t.request('POST', `${B}/Groups`, { body: { schemas: [G], displayName: 'fa2ce267', externalId: 'e1' } })).body.id as string
    const r = await t.request('PATCH', `${B}/Groups/${id}?excludedAttributes=members`, patch({ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }))
    expect(r.status).toBe(204)
    expect(r.text).toBe('')
    const read = await t.request('GET', `${B}/Groups/${id}?excludedAttributes=members`)
    expect(read.body).toMatchObject({ id, displayName: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName', externalId: 'e1' })
    expect(read.body.members).toBeUndefined()
  })
})

describe('what the validators flagged, now accepted', () => {
  let t: TestApp
  beforeAll(async () => { t = await buildTestApp() })
  afterAll(async () => { await t.close() })

  it('Microsoft validator create: "primary": "true" strings inside multi-valued attributes become booleans', async () => {
    const r = await t.request('POST', `${B}/Users`, {
      body: {
        schemas: [U, E], userName: 'reyes@example.com', displayName: 'Reyes', externalId: 'ext-reyes', active: true,
        emails: [{ primary: 'true', type: 'work', value: 'reyes@example.com' }],
        phoneNumbers: [{ primary: 'True', type: 'work', value: '30-906-8350' }],
        addresses: [{ primary: 'true', type: 'work', streetAddress: '70744 May Isle' }]
      }
    })
    expect(r.status, r.text).toBe(201)
    expect([r.body.emails[0].primary, r.body.phoneNumbers[0].primary, r.body.addresses[0].primary]).toEqual([true, true, true])
    const id = String(r.body.id)
    const added = await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'add', path: 'emails', value: [{ primary: 'False', type: 'home', value: 'home@example.com' }] }))
    expect(added.status, added.text).toBe(200)
    expect(added.body.emails.find((e: { type: string }) => e.type === 'home').primary).toBe(false)
    const replaced = await t.request('PATCH', `${B}/Users/${id}`, patch({ op: 'replace', path: 'emails[type eq "home"].primary', value: 'true' }))
    expect(replaced.status, replaced.text).toBe(200)
    expect(replaced.body.emails.find((e: { type: string }) => e.type === 'home').primary).toBe(true)
  })

  it('Microsoft tutorial: PATCH Add of `manager` with no URN sets the enterprise manager', async () => {
    const u = await t.request('POST', `${B}/Users`, { body: { schemas: [U], userName: 'managed@example.com' } })
    const r = await t.request('PATCH', `${B}/Users/${String(u.body.id)}`, patch({ op: 'Add', path: 'manager', value: [{ $ref: 'http://x/scim/Users/00aa', value: '00aa' }] }))
    expect(r.status, r.text).toBe(200)
    expect(r.body[E].manager.value).toBe('00aa')
  })

  it('schema discovery advertises no password (never returned) and the display sub-attributes the bridge returns; Okta may still send both', async () => {
    const user = (await t.request('GET', `${B}/Schemas/${U}`)).body as { attributes: Array<{ name: string, mutability: string, subAttributes?: Array<{ name: string, mutability: string }> }> }
    expect(user.attributes.map((a) => a.name)).not.toContain('password')
    // Users are returned with groups[].display: a client validating answers against /Schemas must find it there (RFC 7643 §4.1.2).
    expect(user.attributes.find((a) => a.name === 'groups')?.subAttributes?.find((s) => s.name === 'display')).toMatchObject({ mutability: 'readOnly' })
    expect(user.attributes.find((a) => a.name === 'emails')?.subAttributes?.map((s) => s.name)).toContain('display')
    expect(user.attributes.find((a) => a.name === 'name')?.subAttributes?.map((s) => s.name)).toContain('givenName')
    const okta = await t.request('POST', `${B}/Users`, { body: { schemas: [U], userName: 'okta@example.com', password: 'S3cret!pass', emails: [{ value: 'okta@example.com', display: 'Okta', primary: true }] } })
    expect(okta.status).toBe(201)
    expect(okta.text).not.toContain('S3cret!pass')
  })

  it('a trailing slash on a collection is the collection (Microsoft reference tests)', async () => {
    await t.request('POST', `${B}/Users`, { body: { schemas: [U], userName: 'slash@example.com', displayName: 'NFEV' } })
    const r = await t.request('GET', `${B}/Users/?filter=${q('DisplayName eq "NFEV"')}`)
    expect(r.status, r.text).toBe(200)
    expect(r.body.Resources.map((x: { userName: string }) => x.userName)).toEqual(['slash@example.com'])
  })
})
