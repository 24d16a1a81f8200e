import { describe, expect, it } from 'vitest'
import { adoptionRefusal, conflictRefusal, type Held } from '../../../src/provisioning/adoption.js'

const held = (over: Partial<Held>): Held => ({ projectId: 'p1', email: 'ann@example.com', role: 'MEMBER', status: 'ACTIVE', ...over })

describe('ADOPT_EXISTING decisions', () => {
  it('same-or-lower-role adopts only when the bridge gives at least the role held', () => {
    expect(adoptionRefusal('same-or-lower-role', held({ role: 'READONLY' }), 'MEMBER')).toBeNull()
    expect(adoptionRefusal('same-or-lower-role', held({ role: 'MEMBER' }), 'MEMBER')).toBeNull()
    expect(adoptionRefusal('same-or-lower-role', held({ role: 'ADMIN' }), 'MEMBER')).toMatch(/already ADMIN \(ACTIVE\) in p1/)
    expect(adoptionRefusal('always', held({ role: 'OWNER' }), 'READONLY')).toBeNull()
    expect(adoptionRefusal('never', held({ role: 'READONLY' }), 'ADMIN')).toMatch(/ADOPT_EXISTING=never/)
  })

  it('an invite answered 409 by a PENDING member with exactly the role asked is the bridge\'s own lost invite, whatever the policy', () => {
    expect(conflictRefusal('never', held({ status: 'PENDING', role: 'MEMBER' }), 'MEMBER')).toBeNull()
    expect(conflictRefusal('never', held({ status: 'ACTIVE', role: 'MEMBER' }), 'MEMBER')).toMatch(/never/)
    expect(conflictRefusal('never', held({ status: 'PENDING', role: 'READONLY' }), 'MEMBER')).toMatch(/never/)
    expect(conflictRefusal('same-or-lower-role', held({ status: 'PENDING', role: 'ADMIN' }), 'MEMBER')).toMatch(/same-or-lower-role/)
  })
})
