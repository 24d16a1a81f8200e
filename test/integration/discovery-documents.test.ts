import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBridge, type TestBridge } from '../support/bridge.js'
import { LIST_OF, RESOURCE_TYPE, SCHEMA, SERVICE_PROVIDER_CONFIG } from '../support/rfc7643-discovery.js'
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER, PATCH_OP, SINCH_USER } from '../support/urns.js'

const ajv = new Ajv2020({ strict: false, allErrors: true })

interface Attr { name: string, type: string, multiValued: boolean, mutability: string, subAttributes?: Attr[] }
interface SchemaDoc { id: string, attributes: Attr[] }

describe('discovery documents are RFC 7643 §§5–7 and nothing else', () => {
  let t: TestBridge
  let schemas: SchemaDoc[]
  beforeAll(async () => {
    t = await startTestBridge()
    schemas = (await t.scim('GET', '/Schemas')).body.Resources
  })
  afterAll(async () => { await t.close() })

  function valid (schema: object, body: unknown, what: string): void {
    expect(ajv.validate(schema, body), `${what}: ${ajv.errorsText(ajv.errors, { separator: '\n' })}`).toBe(true)
  }

  it('/ServiceProviderConfig, /ResourceTypes, /Schemas and each by id validate with additionalProperties: false', async () => {
    const spc = (await t.scim('GET', '/ServiceProviderConfig')).body
    valid(SERVICE_PROVIDER_CONFIG, spc, '/ServiceProviderConfig')
    // Microsoft's reference server's path, read by Microsoft's Postman collection: the same document.
    expect((await t.scim('GET', '/serviceConfiguration')).body).toEqual(spc)
    expect((await t.scim('POST', '/serviceConfiguration', {})).status).toBe(405)
    const types = (await t.scim('GET', '/ResourceTypes')).body
    valid(LIST_OF(RESOURCE_TYPE), types, '/ResourceTypes')
    for (const rt of types.Resources) valid(RESOURCE_TYPE, (await t.scim('GET', `/ResourceTypes/${String(rt.id)}`)).body, `/ResourceTypes/${String(rt.id)}`)
    valid(LIST_OF(SCHEMA), (await t.scim('GET', '/Schemas')).body, '/Schemas')
    expect(schemas.map((s) => s.id).sort()).toEqual([CORE_GROUP, CORE_USER, ENTERPRISE_USER, SINCH_USER, 'urn:okta:scim:schemas:core:1.0:Role'].sort())
    for (const s of schemas) {
      const one = await t.scim('GET', `/Schemas/${s.id}`)
      expect(one.status).toBe(200)
      valid(SCHEMA, one.body, `/Schemas/${s.id}`)
    }
  })

  it('complex multi-valued attributes keep multiValued, mutability and returned (emails[type eq "work"] mappings need them)', () => {
    const user = schemas.find((s) => s.id === CORE_USER)
    const group = schemas.find((s) => s.id === CORE_GROUP)
    const byName = (s: SchemaDoc | undefined, n: string): Attr | undefined => s?.attributes.find((a) => a.name === n)
    for (const n of ['emails', 'phoneNumbers', 'addresses', 'roles']) expect(byName(user, n), n).toMatchObject({ type: 'complex', multiValued: true, mutability: 'readWrite' })
    expect(byName(user, 'groups')).toMatchObject({ multiValued: true, mutability: 'readOnly' })
    expect(byName(group, 'members')).toMatchObject({ multiValued: true, mutability: 'readWrite' })
    expect(byName(schemas.find((s) => s.id === ENTERPRISE_USER), 'manager')).toMatchObject({ type: 'complex', multiValued: false })
    // RFC 7643 §3.1; Microsoft's validation template looks externalId up in /Schemas.
    expect(byName(user, 'externalId')).toMatchObject({ type: 'string', caseExact: true, mutability: 'readWrite' })
    expect(byName(group, 'externalId')).toMatchObject({ type: 'string', mutability: 'readWrite' })
    // Accepted on create, never stored or returned: not published.
    expect(byName(user, 'password')).toBeUndefined()
  })

  it('the Sinch extension is declared in a namespace of its own, read-only, with typed sub-attributes', async () => {
    expect(SINCH_USER.startsWith('urn:ietf:')).toBe(false)
    const userType = (await t.scim('GET', '/ResourceTypes/User')).body
    expect(userType.schemaExtensions).toContainEqual({ schema: SINCH_USER, required: false })
    const sinch = schemas.find((s) => s.id === SINCH_USER)
    expect(sinch?.attributes).toHaveLength(1)
    const projects = sinch?.attributes[0]
    expect(projects).toMatchObject({ name: 'projects', type: 'complex', multiValued: true, mutability: 'readOnly', returned: 'default' })
    for (const sub of projects?.subAttributes ?? []) expect(sub, sub.name).toMatchObject({ type: 'string', multiValued: false, mutability: 'readOnly', returned: 'default' })
    expect(projects?.subAttributes?.map((s) => s.name)).toEqual(['projectId', 'role', 'status', 'pendingError', 'grantedBy'])
  })

  it('every attribute a User and a Group answer carries is one /Schemas advertises (display included)', async () => {
    const user = (await t.scim('POST', '/Users', { schemas: [CORE_USER, ENTERPRISE_USER], userName: 'shown@example.com', displayName: 'Shown', emails: [{ value: 'shown@example.com', type: 'work', primary: true }], [ENTERPRISE_USER]: { employeeNumber: '7', manager: { value: 'm1' } } })).body
    const group = (await t.scim('POST', '/Groups', { displayName: 'Shown group', members: [{ value: user.id }] })).body
    const withGroups = (await t.scim('GET', `/Users/${String(user.id)}`)).body
    expect(withGroups.groups[0].display).toBe('Shown group')
    expect(group.members[0].display).toBe('Shown')
    // Without a displayName, the member's userName (RFC 7643 §4.2 members.display is human-readable).
    const plain = (await t.scim('POST', '/Users', { schemas: [CORE_USER], userName: 'plain@example.com', emails: [{ value: 'plain@example.com', type: 'work' }] })).body
    const both = (await t.scim('PATCH', `/Groups/${String(group.id)}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: plain.id, display: 'ignored' }] }] })).body
    expect(both.members.map((m: { display: string }) => m.display).sort()).toEqual(['Shown', 'plain@example.com'])
    const listed = (await t.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Shown group"')}`)).body
    expect(listed.Resources[0].members.map((m: { display: string }) => m.display).sort()).toEqual(['Shown', 'plain@example.com'])
    expect((await t.scim('GET', `/Groups/${String(group.id)}?attributes=displayName`)).body.members).toBeUndefined()
    const COMMON = new Set(['schemas', 'id', 'meta'])
    const unadvertised = (body: Record<string, unknown>, coreId: string): string[] => {
      const out: string[] = []
      const walk = (value: Record<string, unknown>, attrs: Attr[], prefix: string): void => {
        for (const [k, v] of Object.entries(value)) {
          if (prefix === '' && COMMON.has(k)) continue
          if (prefix === '' && k.startsWith('urn:')) {
            const ext = schemas.find((s) => s.id === k)
            if (ext === undefined) out.push(k)
            else walk(v as Record<string, unknown>, ext.attributes, `${k}:`)
            continue
          }
          const a = attrs.find((x) => x.name === k)
          if (a === undefined) { out.push(`${prefix}${k}`); continue }
          if (a.type !== 'complex') continue
          for (const item of (Array.isArray(v) ? v : [v]) as Array<Record<string, unknown>>) walk(item, a.subAttributes ?? [], `${prefix}${k}.`)
        }
      }
      walk(body, schemas.find((s) => s.id === coreId)?.attributes ?? [], '')
      return out
    }
    expect(unadvertised(withGroups, CORE_USER)).toEqual([])
    expect(unadvertised((await t.scim('GET', `/Groups/${String(group.id)}`)).body, CORE_GROUP)).toEqual([])
  })

  it('a PUT that echoes what was read, Sinch extension included, is accepted; a PATCH of the extension is 400 mutability', async () => {
    const created = (await t.scim('POST', '/Users', { schemas: [CORE_USER], userName: 'echo@example.com', emails: [{ value: 'echo@example.com', type: 'work' }] })).body
    const read = (await t.scim('GET', `/Users/${String(created.id)}`)).body
    expect(read.schemas).toContain(SINCH_USER)
    expect(read[SINCH_USER].projects.length).toBeGreaterThan(0)
    const put = await t.scim('PUT', `/Users/${String(created.id)}`, { ...read, displayName: 'Echoed' })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    expect(put.body.displayName).toBe('Echoed')
    expect(put.body[SINCH_USER].projects).toEqual(read[SINCH_USER].projects)
    for (const op of [{ op: 'replace', path: `${SINCH_USER}:projects`, value: [] }, { op: 'remove', path: SINCH_USER }, { op: 'add', value: { [SINCH_USER]: { projects: [] } } }]) {
      const r = await t.scim('PATCH', `/Users/${String(created.id)}`, { schemas: [PATCH_OP], Operations: [op] })
      expect(r.status, JSON.stringify(op)).toBe(400)
      expect(r.body).toMatchObject({ scimType: 'mutability' })
      expect(r.body.detail).toContain(SINCH_USER)
    }
  })
})
