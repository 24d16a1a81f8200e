import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.js'
import { startTestBridge } from '../support/bridge.js'
import { SINCH_USER } from '../support/urns.js'
import { createRoleCatalogue } from '../../src/provisioning/role-catalogue.js'

const spec = parse(readFileSync(resolve(import.meta.dirname, '../../openapi/scim.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string, content?: Record<string, { schema: unknown }> }> }>>
  components: { schemas: Record<string, unknown>, responses: Record<string, { content: Record<string, { schema: unknown }> }> }
}
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats.default(ajv)
ajv.addSchema({ $id: 'scim', components: spec.components }, 'scim')

/** The schema the spec promises for (template, method, status); undefined when it promises no body. */
function schemaFor (template: string, method: string, status: number): unknown {
  const op = spec.paths[template]?.[method.toLowerCase()]
  if (op === undefined) throw new Error(`the spec has no ${method} ${template}`)
  const res = op.responses[String(status)]
  if (res === undefined) throw new Error(`the spec has no ${status} for ${method} ${template}`)
  const content = res.$ref !== undefined ? spec.components.responses[res.$ref.split('/').pop() ?? '']?.content : res.content
  const schema = content?.['application/scim+json']?.schema
  return schema === undefined ? undefined : JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"scim#/components'))
}

describe('real answers match openapi/scim.yaml', () => {
  let t: TestApp
  const seen: string[] = []
  beforeAll(async () => { t = await buildTestApp() })
  afterAll(async () => { await t.close() })

  async function check (template: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<any> {
    const r = await t.request(method, `/scim/v2${path}`, { ...(body === undefined ? {} : { body }), ...(headers === undefined ? {} : { headers }) })
    const schema = schemaFor(template, method, r.status)
    if (schema !== undefined) {
      const ok = ajv.validate(schema as object, r.body)
      expect(ok, `${method} ${path} → ${r.status}: ${ajv.errorsText()}\n${r.text.slice(0, 300)}`).toBe(true)
    }
    seen.push(`${method} ${template} ${r.status}`)
    return r.body
  }

  it('users, groups, discovery and errors', async () => {
    const U = 'urn:ietf:params:scim:schemas:core:2.0:User'
    const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
    const user = await check('/Users', 'POST', '/Users', { schemas: [U], userName: 'o@x.io', emails: [{ value: 'o@x.io', type: 'work' }], password: 'p4ss' })
    await check('/Users', 'POST', '/Users', { schemas: [U], userName: 'O@x.io' })
    await check('/Users', 'GET', '/Users?filter=userName%20eq%20%22o%40x.io%22')
    await check('/Users', 'GET', '/Users?filter=bad%20filter')
    await check('/Users/.search', 'POST', '/Users/.search', { filter: 'userName sw "o"' })
    await check('/Users/{id}', 'GET', `/Users/${String(user.id)}`)
    await check('/Users/{id}', 'GET', '/Users/missing')
    await check('/Users/{id}', 'PUT', `/Users/${String(user.id)}`, { schemas: [U], userName: 'o@x.io', displayName: 'O' })
    await check('/Users/{id}', 'PATCH', `/Users/${String(user.id)}`, { schemas: [P], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })
    await check('/Users/{id}', 'PATCH', `/Users/${String(user.id)}`, { schemas: [P], Operations: [{ op: 'replace', path: 'nope', value: 1 }] })
    await check('/Users/{id}', 'PUT', `/Users/${String(user.id)}`, { schemas: [U], userName: 'o@x.io' }, { 'if-match': 'W/"99"' })
    const group = await check('/Groups', 'POST', '/Groups', { displayName: 'G', members: [{ value: user.id }] })
    await check('/Groups', 'POST', '/Groups', { displayName: 'g' })
    await check('/Groups', 'GET', '/Groups?excludedAttributes=members')
    await check('/Groups/.search', 'POST', '/Groups/.search', { filter: 'displayName eq "g"' })
    await check('/Groups/{id}', 'GET', `/Groups/${String(group.id)}`)
    await check('/Groups/{id}', 'PATCH', `/Groups/${String(group.id)}`, { schemas: [P], Operations: [{ op: 'remove', path: `members[value eq "${String(user.id)}"]` }] })
    await check('/Groups/{id}', 'PUT', `/Groups/${String(group.id)}`, { displayName: 'G2', members: [] })
    await check('/Groups/{id}', 'DELETE', `/Groups/${String(group.id)}`)
    await check('/.search', 'POST', '/.search', { filter: 'userName eq "o@x.io"' })
    await check('/ServiceProviderConfig', 'GET', '/ServiceProviderConfig')
    await check('/ServiceProviderConfig', 'POST', '/ServiceProviderConfig', {})
    await check('/ResourceTypes', 'GET', '/ResourceTypes')
    await check('/ResourceTypes/{id}', 'GET', '/ResourceTypes/User')
    await check('/Schemas', 'GET', '/Schemas')
    await check('/Schemas/{id}', 'GET', `/Schemas/${encodeURIComponent(U)}`)
    await check('/Me', 'GET', '/Me')
    await check('/Bulk', 'POST', '/Bulk', {})
    await check('/Users/{id}', 'DELETE', `/Users/${String(user.id)}`)
    expect(seen.length).toBe(29)
    expect(new Set(seen.map((s) => s.split(' ')[1])).size).toBe(14)
  })
})

describe('/Roles answers match openapi/scim.yaml', () => {
  it('a page, a filter, a bad filter, one role, an unknown one, a write', async () => {
    const t = await buildTestApp({ roleCatalogue: createRoleCatalogue({ managedProjects: ['prj-1', 'prj-2'], allowOwner: true }) })
    const seen: string[] = []
    try {
      for (const [template, method, path] of [
        ['/Roles', 'GET', '/Roles?startIndex=2&count=3'],
        ['/Roles', 'GET', '/Roles?filter=value%20eq%20%22prj-2%3AOWNER%22'],
        ['/Roles', 'GET', '/Roles?filter=nope%20eq%20%22x%22'],
        ['/Roles/{id}', 'GET', '/Roles/prj-1%3AADMIN'],
        ['/Roles/{id}', 'GET', '/Roles/prj-1%3AGOD'],
        ['/Roles', 'POST', '/Roles']
      ] as const) {
        const r = await t.request(method, `/scim/v2${path}`, method === 'POST' ? { body: {} } : {})
        const schema = schemaFor(template, method, r.status)
        expect(schema, `${method} ${path} → ${r.status}`).toBeDefined()
        expect(ajv.validate(schema as object, r.body), `${method} ${path} → ${r.status}: ${ajv.errorsText()}\n${r.text.slice(0, 300)}`).toBe(true)
        seen.push(`${method} ${template} ${r.status}`)
      }
      expect(seen).toEqual(['GET /Roles 200', 'GET /Roles 200', 'GET /Roles 400', 'GET /Roles/{id} 200', 'GET /Roles/{id} 404', 'POST /Roles 405'])
    } finally {
      await t.close()
    }
  })
})

describe('answers of the whole bridge (provisioning into the simulator) match openapi/scim.yaml', () => {
  it('the Sinch extension, a rejected change, offboarding and group writes', async () => {
    const t = await startTestBridge()
    const U = 'urn:ietf:params:scim:schemas:core:2.0:User'
    const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
    const checked: string[] = []
    const check = async (template: string, method: string, path: string, body?: unknown): Promise<any> => {
      const r = await t.scim(method, path, body)
      const schema = schemaFor(template, method, r.status)
      if (schema !== undefined) expect(ajv.validate(schema as object, r.body), `${method} ${path} → ${r.status}: ${ajv.errorsText()}`).toBe(true)
      checked.push(`${method} ${template} ${r.status}`)
      return r.body
    }
    try {
      const user = await check('/Users', 'POST', '/Users', { schemas: [U], userName: 'api@x.io', emails: [{ value: 'api@x.io', type: 'work' }] })
      expect(user[SINCH_USER].projects).toHaveLength(2)
      await check('/Users/{id}', 'GET', `/Users/${String(user.id)}`)
      await check('/Users', 'GET', '/Users?startIndex=1&count=10')
      await t.simControl.call('POST', 'faults', { route: 'invite', status: 400, count: 1 })
      await check('/Users', 'POST', '/Users', { schemas: [U], userName: 'refused@x.io' })
      const group = await check('/Groups', 'POST', '/Groups', { displayName: 'sinch:p2:ADMIN', members: [{ value: user.id }] })
      await check('/Groups/{id}', 'PATCH', `/Groups/${String(group.id)}`, { schemas: [P], Operations: [{ op: 'replace', value: { displayName: 'Eng' } }] })
      await check('/Users/{id}', 'PATCH', `/Users/${String(user.id)}`, { schemas: [P], Operations: [{ op: 'replace', value: { active: false } }] })
      await check('/Users/{id}', 'DELETE', `/Users/${String(user.id)}`)
      expect(checked).toEqual(['POST /Users 201', 'GET /Users/{id} 200', 'GET /Users 200', 'POST /Users 400', 'POST /Groups 201', 'PATCH /Groups/{id} 200', 'PATCH /Users/{id} 200', 'DELETE /Users/{id} 204'])
    } finally {
      await t.close()
    }
  })
})
