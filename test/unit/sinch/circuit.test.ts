import { describe, expect, it } from 'vitest'
import { SinchCircuit, type CallResult } from '../../../src/sinch/circuit.js'
import { SinchError } from '../../../src/sinch/errors.js'
import { failureKind } from '../../../src/sinch/transport.js'

const ok: CallResult = { operation: 'invite', ok: true }
const down: CallResult = { operation: 'invite', ok: false, kind: 'server_error', status: 503 }

describe('SinchCircuit', () => {
  it('closed → degraded on a failure → open after openAfter failures in a row → degraded on the first success → closed once the failures age out', () => {
    let now = 1_000_000
    const c = new SinchCircuit({ size: 10, openAfter: 3, maxAgeMs: 60_000, now: () => now })
    expect(c.snapshot()).toMatchObject({ state: 'closed', since: null, failingSince: null, lastFailure: null })
    c.record(ok)
    c.record(down)
    expect(c.snapshot()).toMatchObject({ state: 'degraded', since: now, recentFailures: 1, window: 2, lastFailure: { at: now, reason: 'invite: server error (503)' } })
    const first = now
    now += 1000
    c.record(down)
    now += 1000
    c.record({ operation: 'list', ok: false, kind: 'timeout', status: null })
    expect(c.snapshot()).toMatchObject({ state: 'open', since: first, failingSince: first, recentFailures: 3, lastFailure: { reason: 'list: timed out' } })
    // No calls for an hour is no news: open stays open.
    now += 3_600_000
    expect(c.snapshot().state).toBe('open')
    c.record(ok)
    // The failures are an hour old: older than maxAgeMs, so closed at once.
    expect(c.snapshot()).toMatchObject({ state: 'closed', failingSince: null, recentFailures: 0 })
    expect(c.snapshot().failures).toEqual({ server_error: 2, timeout: 1, connection: 0, rate_limit_exhausted: 0, auth: 0 })
  })

  it('a success between failures keeps it degraded, not open; the window keeps only the newest results', () => {
    const c = new SinchCircuit({ size: 4, openAfter: 3, maxAgeMs: 60_000 })
    for (const r of [down, down, ok, down, down, ok]) c.record(r)
    expect(c.snapshot()).toMatchObject({ state: 'degraded', window: 4, recentFailures: 2 })
    for (const r of [ok, ok, ok, ok]) c.record(r)
    expect(c.snapshot().state).toBe('closed')
  })

  it('describes 429 exhaustion and refused credentials without a status or any text from Sinch', () => {
    const c = new SinchCircuit()
    c.record({ operation: 'update', ok: false, kind: 'rate_limit_exhausted', status: 429 })
    expect(c.snapshot().lastFailure?.reason).toBe('update: rate limited (429) until the retries ran out')
    c.record({ operation: 'token', ok: false, kind: 'auth', status: 401 })
    expect(c.snapshot().lastFailure?.reason).toBe('token: credentials refused (401)')
  })
})

describe('failureKind', () => {
  const err = (code: SinchError['code'], status: number | null, cause?: unknown): SinchError => new SinchError({ code, message: 'm', operation: 'invite', status, cause })
  it('sorts final errors: Sinch answering no is not a failure; 5xx, 408, 429, no answer and 401 are', () => {
    expect(failureKind(err('SINCH_PERMANENT', 400))).toBeNull()
    expect(failureKind(err('SINCH_NOT_FOUND', 404))).toBeNull()
    expect(failureKind(err('SINCH_CONFLICT', 409))).toBeNull()
    expect(failureKind(err('SINCH_TRANSIENT', 503))).toBe('server_error')
    expect(failureKind(err('SINCH_TRANSIENT', 408))).toBe('timeout')
    expect(failureKind(err('SINCH_TRANSIENT', 429))).toBe('rate_limit_exhausted')
    expect(failureKind(err('SINCH_AUTH', 401))).toBe('auth')
    expect(failureKind(err('SINCH_TRANSIENT', null, Object.assign(new Error('headers'), { code: 'UND_ERR_HEADERS_TIMEOUT' })))).toBe('timeout')
    expect(failureKind(err('SINCH_TRANSIENT', null, Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })))).toBe('connection')
    // A token failure wrapped in the failure of the call that needed it.
    expect(failureKind(err('SINCH_TRANSIENT', null, err('SINCH_TRANSIENT', null, Object.assign(new Error('t'), { code: 'UND_ERR_CONNECT_TIMEOUT' }))))).toBe('timeout')
  })
})
