import { afterEach, describe, expect, it } from 'vitest'
import { startTestBridge, type TestBridge } from '../support/bridge.js'
import { CORE_USER, SINCH_USER } from '../support/urns.js'

const user = (email: string): Record<string, unknown> => ({
  schemas: [CORE_USER], userName: email, emails: [{ value: email, type: 'work', primary: true }], active: true
})

/** Invite and remove calls Sinch has answered so far. */
async function writes (t: TestBridge): Promise<string[]> {
  return (await t.simControl.requests()).filter((r) => r.route === 'invite' || r.route === 'remove').map((r) => `${r.route} ${r.projectId ?? ''} ${r.status}`)
}

async function reconcile (t: TestBridge, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await t.bridge.reconciler.runOnce()
    await t.bridge.provisioner.drain()
  }
}

describe('addresses Sinch keeps in its own spelling, over real HTTP', () => {
  let t: TestBridge | null = null
  afterEach(async () => { await t?.close(); t = null })

  it('an address Sinch stores in Unicode NFC matches the decomposed spelling the IdP sent: one invite per project, then quiet', async () => {
    t = await startTestBridge({ simulator: { inviteEmailRewrite: 'nfc' } })
    const sent = 'jose\u0301@example.com'
    const res = await t.scim('POST', '/Users', user(sent))
    expect(res.status).toBe(201)
    await reconcile(t, 3)
    expect((await writes(t)).sort()).toEqual(['invite p1 201', 'invite p2 201'])
    expect((await t.simControl.members('p1')).map((m) => m.email)).toEqual([sent.normalize('NFC')])
    const read = await t.scim('GET', `/Users/${String(res.body.id)}`)
    expect(read.body[SINCH_USER].projects).toMatchObject([{ projectId: 'p1', status: 'PENDING', pendingError: null }, { projectId: 'p2', status: 'PENDING', pendingError: null }])
    expect(await t.bridge.store.opStateCounts()).toEqual({ pending: 0, failed: 0 })
  })
})
