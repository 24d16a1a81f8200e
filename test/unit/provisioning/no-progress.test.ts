import { describe, expect, it } from 'vitest'
import { isParked, opSignature, PARK_AFTER, parkedDetail, stallDetail, stallsSoFar } from '../../../src/provisioning/no-progress.js'
import type { Op } from '../../../src/provisioning/plan.js'
import type { OpState } from '../../../src/domain/op-states.js'

describe('no-progress parking', () => {
  const invite: Op = { kind: 'invite', projectId: 'p1', email: 'Ann+x@Example.com', role: 'MEMBER', rule: 'r' }
  const state = (s: OpState['state'], lastError: string | null): OpState => ({ userId: 'u1', projectId: 'p1', state: s, lastError, attempts: 1, updatedAt: '' })

  it('counts runs in a row from the op state the last run left, for the same change only', () => {
    expect(stallsSoFar(invite, undefined)).toBe(0)
    expect(stallsSoFar(invite, state('pending', stallDetail(invite, 1)))).toBe(1)
    expect(stallsSoFar(invite, state('pending', stallDetail(invite, PARK_AFTER - 1)))).toBe(PARK_AFTER - 1)
    expect(stallsSoFar(invite, state('pending', '503 Service Unavailable'))).toBe(0)
    expect(stallsSoFar({ ...invite, role: 'ADMIN' }, state('pending', stallDetail(invite, 1)))).toBe(0)
  })

  it('a parked change stays parked until the plan asks for something else', () => {
    expect(isParked(invite, state('failed', parkedDetail(invite)))).toBe(true)
    expect(isParked({ ...invite, email: 'ann@example.com' }, state('failed', parkedDetail(invite)))).toBe(false)
    expect(isParked(invite, state('done', null))).toBe(false)
  })

  it('compares addresses in their normal form', () => {
    expect(opSignature(invite)).toBe(opSignature({ ...invite, email: ' ann+x@example.COM' }))
    expect(opSignature(invite)).not.toBe(opSignature({ ...invite, projectId: 'p2' }))
  })
})
