import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTestBridge, type TestBridge } from '../support/bridge.js'
import { CORE_USER, ENTERPRISE_USER, PATCH_OP } from '../support/urns.js'

/** V8's own messages: none may reach an IdP's admin as a SCIM detail. */
const RUNTIME_TEXT = /Cannot (add|read|set|convert|assign|define|delete|create)|not extensible|is not (a function|iterable)|undefined or null|TypeError/

describe('PATCH on whole extensions, of active, and its error texts', () => {
  let t: TestBridge
  beforeAll(async () => { t = await startTestBridge() })
  afterAll(async () => { await t.close() })

  const patch = async (id: string, ...Operations: unknown[]): Promise<{ status: number, body: any }> => await t.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations })
  async function user (userName: string, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await t.scim('POST', '/Users', { schemas: [CORE_USER, ENTERPRISE_USER], userName, emails: [{ value: userName, type: 'work' }], [ENTERPRISE_USER]: { employeeNumber: '42', department: 'Ops' }, ...extra })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return String(r.body.id)
  }

  it('remove with the enterprise URN as path clears the extension; add and replace accept a value carrying its own schemas', async () => {
    const id = await user('ext@example.com')
    const removed = await patch(id, { op: 'remove', path: ENTERPRISE_USER })
    expect(removed.status, JSON.stringify(removed.body)).toBe(200)
    expect(removed.body[ENTERPRISE_USER]).toBeUndefined()
    expect(removed.body.schemas).not.toContain(ENTERPRISE_USER)
    expect((await t.scim('GET', `/Users/${id}`)).body[ENTERPRISE_USER]).toBeUndefined()

    const added = await patch(id, { op: 'add', path: ENTERPRISE_USER, value: { schemas: [ENTERPRISE_USER], employeeNumber: '7', manager: { value: 'boss-1' } } })
    expect(added.status, JSON.stringify(added.body)).toBe(200)
    expect(added.body[ENTERPRISE_USER]).toEqual({ employeeNumber: '7', manager: { value: 'boss-1' } })
    const merged = await patch(id, { op: 'add', path: ENTERPRISE_USER, value: { schemas: [ENTERPRISE_USER], department: 'R&D' } })
    expect(merged.body[ENTERPRISE_USER]).toMatchObject({ employeeNumber: '7', department: 'R&D' })
    const replaced = await patch(id, { op: 'replace', path: ENTERPRISE_USER, value: { schemas: [ENTERPRISE_USER], costCenter: 'CC-1' } })
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200)
    expect(replaced.body[ENTERPRISE_USER]).toEqual({ costCenter: 'CC-1' })
    const noPath = await patch(id, { op: 'replace', value: { [ENTERPRISE_USER]: { schemas: [ENTERPRISE_USER], division: 'North' } } })
    expect(noPath.status, JSON.stringify(noPath.body)).toBe(200)
    expect(noPath.body[ENTERPRISE_USER]).toMatchObject({ division: 'North' })
    // An extension set this way is still checked against its schema.
    const wrong = await patch(id, { op: 'replace', path: ENTERPRISE_USER, value: { employeeNumber: { nested: true } } })
    expect(wrong.status).toBe(400)
    expect((await t.scim('GET', `/Users/${id}`)).body[ENTERPRISE_USER]).toMatchObject({ division: 'North' })
  })

  it('malformed PATCHes answer 400 with a scimType and a detail of ours, never the runtime\'s text', async () => {
    const id = await user('texts@example.com')
    const cases: unknown[][] = [
      [{ op: 'add', path: 'name', value: 'just a string' }],
      [{ op: 'add', path: 'emails', value: 'x@example.com' }],
      [{ op: 'replace', path: 'emails[type eq "work"]', value: 'x' }],
      [{ op: 'add', path: `${ENTERPRISE_USER}:manager`, value: 5 }],
      [{ op: 'add', value: { name: 'x' } }],
      [{ op: 'add', value: { [ENTERPRISE_USER]: 'x' } }],
      [{ op: 'remove', path: 'emails[value eq' }],
      [{ op: 'replace', path: 'name.givenName.x', value: 'a' }],
      [{ op: 'move', path: 'displayName', value: 'a' }],
      [{ op: 'add', path: 'addresses', value: [{ formatted: { a: 1 } }] }],
      [{ op: 'add', value: [1, 2] }],
      [{ op: 'add', value: 'str' }],
      [{ op: 'add', path: ENTERPRISE_USER, value: { schemas: [ENTERPRISE_USER], employeeNumber: { nested: true } } }],
      [{ op: 'replace', value: { [ENTERPRISE_USER]: { schemas: [ENTERPRISE_USER], employeeNumber: ['a', 'b'] } } }]
    ]
    for (const ops of cases) {
      const r = await patch(id, ...ops)
      expect(r.status, `${JSON.stringify(ops)} → ${JSON.stringify(r.body)}`).toBe(400)
      expect(typeof r.body.scimType, JSON.stringify(ops)).toBe('string')
      expect(r.body.detail, JSON.stringify(ops)).not.toMatch(RUNTIME_TEXT)
    }
    const after = (await t.scim('GET', `/Users/${id}`)).body
    expect(after[ENTERPRISE_USER]).toEqual({ employeeNumber: '42', department: 'Ops' })
  })

  it('remove of active deactivates (RFC 7644 §3.5.2.2: unassigned) and takes Sinch access away', async () => {
    const id = await user('leaver@example.com')
    await eventually(async () => (await t.simControl.members('p1')).some((m) => m.email === 'leaver@example.com'))
    const r = await patch(id, { op: 'remove', path: 'active' })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.active).toBe(false)
    expect((await t.scim('GET', `/Users/${id}`)).body.active).toBe(false)
    for (const p of ['p1', 'p2']) expect((await t.simControl.members(p)).some((m) => m.email === 'leaver@example.com'), p).toBe(false)
    // Entra's explicit null is the same removal.
    const back = await patch(id, { op: 'replace', path: 'active', value: true })
    expect(back.body.active).toBe(true)
    const nulled = await patch(id, { op: 'Replace', path: 'active', value: null })
    expect(nulled.body.active).toBe(false)
  })
})
