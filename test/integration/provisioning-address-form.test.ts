import { afterEach, describe, expect, it } from 'vitest'
import { eventually, startTestBridge, TEST_TOKEN, type TestBridge } from '../support/bridge.js'
import { freshSchema, schemaUrl } from '../support/pg.js'
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

describe.each(['sqlite', 'postgres'] as const)('addresses Sinch keeps in its own spelling, over real HTTP (%s)', (engine) => {
  let t: TestBridge | null = null
  let drop: (() => Promise<void>) | null = null
  afterEach(async () => {
    await t?.close()
    await drop?.()
    t = null
    drop = null
  })

  async function start (simulator: Record<string, unknown>): Promise<TestBridge> {
    if (engine === 'sqlite') return await startTestBridge({ simulator })
    const fresh = await freshSchema()
    drop = fresh.drop
    return await startTestBridge({ simulator, env: { DATABASE_URL: schemaUrl(fresh.schema) } })
  }

  it('an address Sinch stores in Unicode NFC matches the decomposed spelling the IdP sent: one invite per project, then quiet', async () => {
    t = await start({ inviteEmailRewrite: 'nfc' })
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

  it('an address Sinch rewrites (drops a +tag) is parked as a failed change after a few runs instead of looping, and later reconciles send nothing', async () => {
    t = await start({ inviteEmailRewrite: 'strip-plus-tag' })
    const sent = 'ann+sinch@example.com'
    const res = await t.scim('POST', '/Users', user(sent))
    expect(res.status).toBe(201) // Sinch said yes; the mismatch is the bridge's to report, not the IdP's
    const id = String(res.body.id)
    await eventually(async () => (await t?.bridge.store.listOpStates({ userId: id, state: 'failed' }))?.length === 2)
    const parked = await writes(t)
    // One accepted invite per project and run, for at most three runs; never a removal.
    expect(parked.filter((w) => w.startsWith('invite')).length).toBeLessThanOrEqual(6)
    expect(parked.filter((w) => w.startsWith('remove'))).toEqual([])
    await reconcile(t, 4)
    expect(await writes(t)).toEqual(parked)
    // Sinch still holds the member in its own spelling: the person keeps the access Sinch gave.
    expect((await t.simControl.members('p1')).map((m) => m.email)).toEqual(['ann@example.com'])
    const states = await t.bridge.store.listOpStates({ userId: id })
    expect(states.map((o) => [o.projectId, o.state]).sort()).toEqual([['p1', 'failed'], ['p2', 'failed']])
    expect(states[0]?.lastError).toMatch(/^parked: Sinch accepted "invite ann\+sinch@example.com as MEMBER"/)
    const read = await t.scim('GET', `/Users/${id}`)
    expect(read.body[SINCH_USER].projects[0].pendingError).toMatch(/parked/)
    const page = await fetch(`${t.url}/status/changes`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
    expect(await page.text()).toContain('2 failed, 0 waiting.')
    // Logged once per project, however many reconciles looked at it since.
    expect(t.logs.filter((l) => l.includes('"msg":"parked:')).length).toBe(2)
    // The IdP fixing the address is a new change, tried at once.
    const fixed = await t.scim('PUT', `/Users/${id}`, user('ann@example.com'))
    expect(fixed.status).toBe(200)
    expect(await t.bridge.store.opStateCounts()).toEqual({ pending: 0, failed: 0 })
  })
})
