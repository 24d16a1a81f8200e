import { describe, expect, it } from 'vitest'
import { createReadiness } from '../../../src/observability/readiness.js'
import { StoreUnavailableError } from '../../../src/store/unavailable.js'

function storeCheck (ping: () => Promise<void>) {
  const checks = createReadiness({
    store: { ping },
    sinch: { lastTokenAt: () => Date.now(), probe: async () => {} },
    reconciler: { lastReport: () => null },
    intervalMs: 60_000,
    storeTimeoutMs: 50
  })
  const store = checks.find((c) => c.name === 'store')
  if (store === undefined) throw new Error('no store check')
  return store.check
}

describe('/readyz store check', () => {
  it('a driver timeout (connect or read) reads as no answer, like our own deadline; a refusal reads as not reachable', async () => {
    const connectTimeout = Object.assign(new Error('Connection terminated due to connection timeout'), {})
    expect(await storeCheck(async () => { throw connectTimeout })()).toEqual({ ok: false, detail: 'no answer within 50 ms' })
    expect(await storeCheck(async () => { throw new Error('timeout exceeded when trying to connect') })()).toEqual({ ok: false, detail: 'no answer within 50 ms' })
    expect(await storeCheck(async () => await new Promise(() => {}))()).toEqual({ ok: false, detail: 'no answer within 50 ms' })
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    expect(await storeCheck(async () => { throw refused })()).toEqual({ ok: false, detail: 'not reachable' })
    // What the store really throws: the driver's error as the cause of its own.
    expect(await storeCheck(async () => { throw new StoreUnavailableError({ cause: connectTimeout }) })()).toEqual({ ok: false, detail: 'no answer within 50 ms' })
    expect(await storeCheck(async () => { throw new StoreUnavailableError({ cause: refused }) })()).toEqual({ ok: false, detail: 'not reachable' })
    expect(await storeCheck(async () => {})()).toEqual({ ok: true, detail: 'reachable' })
  })
})
