import { describe, expect, it } from 'vitest'
import { sinchExtensionOf } from '../../../src/provisioning/extension.js'
import type { RulesConfig } from '../../../src/provisioning/rules.js'
import type { UserView } from '../../../src/store/directory-store.js'

const rules: RulesConfig = { managedProjects: ['p1', 'p2', 'p3'], defaultProjects: ['p1'], defaultRole: 'MEMBER', allowOwner: false, deactivateAction: 'remove', adoptExisting: 'same-or-lower-role', mapping: null }
const member = { email: 'ann@y.io', sinchUserId: 's1', status: 'ACTIVE' as const, scimUserId: 'u1', origin: 'invited' as const, seenAt: '2026-01-01T00:00:00Z' }
const view = (over: Partial<UserView> = {}): UserView => ({
  record: { id: 'u1', userName: 'ann@y.io', externalId: null, displayName: null, active: true, emails: [{ value: 'ann@y.io', type: 'work', primary: true }], resource: { roles: [{ value: 'p3:ADMIN' }] }, version: 1, created: '', lastModified: '' },
  groups: [{ id: 'g1', displayName: 'sinch:p2:ADMIN', externalId: null }],
  members: [{ ...member, projectId: 'p2', role: 'ADMIN' }, { ...member, projectId: 'p1', role: 'MEMBER' }],
  ops: [{ userId: 'u1', projectId: 'p3', state: 'failed', lastError: 'invalid role', attempts: 1, updatedAt: '2026-01-01T00:00:00Z' }],
  ...over
})

describe('the Sinch extension of a user view', () => {
  it('lists what Sinch holds per project, by project, with the pending error of an unfinished op', () => {
    expect(sinchExtensionOf()(view())).toEqual([
      { projectId: 'p1', role: 'MEMBER', status: 'ACTIVE', pendingError: null },
      { projectId: 'p2', role: 'ADMIN', status: 'ACTIVE', pendingError: null },
      { projectId: 'p3', role: null, status: null, pendingError: 'invalid role' }
    ])
  })

  it('names the granting rule from the view itself: default project, group and assigned role', () => {
    const why = Object.fromEntries(sinchExtensionOf(rules)(view()).map((s) => [s.projectId, s.grantedBy]))
    expect(why.p1).toMatch(/default/)
    expect(why.p2).toMatch(/sinch:p2:ADMIN/)
    expect(why.p3).toMatch(/p3:ADMIN/)
  })

  it('an inactive user is granted nothing, and a user Sinch knows nothing of has no projects', () => {
    const inactive = view()
    inactive.record.active = false
    expect(sinchExtensionOf(rules)(inactive).map((s) => s.grantedBy)).toEqual([null, null, null])
    expect(sinchExtensionOf(rules)(view({ members: [], ops: [] }))).toEqual([])
  })
})
