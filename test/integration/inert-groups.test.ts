import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestBridge, type TestBridge } from '../support/bridge.js'

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'

describe('a group that grants nothing is accepted and warned about once', () => {
  let t: TestBridge
  beforeAll(async () => { t = await startTestBridge({ background: false }) })
  afterAll(async () => { await t.close() })

  it('POST then PUT of sinch:not-managed-prj:ADMIN: 201 and 200, one warning naming the reason; a working group none', async () => {
    const warnings = (): Array<{ group: string, reasons: string[] }> => t.logs.map((l) => JSON.parse(l) as { msg: string, group: string, reasons: string[] }).filter((l) => l.msg === 'group grants nothing in Sinch')
    const created = await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'sinch:not-managed-prj:ADMIN' })
    expect(created.status).toBe(201)
    const put = await t.scim('PUT', `/Groups/${created.body.id as string}`, { schemas: [GROUP], displayName: 'sinch:not-managed-prj:ADMIN' })
    expect(put.status).toBe(200)
    const owner = await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'sinch:p1:OWNER' })
    expect(owner.status).toBe(201)
    expect((await t.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'sinch:p1:ADMIN' })).status).toBe(201)
    expect(warnings().map((w) => [w.group, w.reasons])).toEqual([
      ['sinch:not-managed-prj:ADMIN', ['project "not-managed-prj" is not in SINCH_PROJECT_IDS']],
      ['sinch:p1:OWNER', ['OWNER in "p1" is granted only with ALLOW_OWNER=true']]
    ])
  })
})
