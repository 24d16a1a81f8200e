import type { SinchPort } from '../../src/provisioning/ports.js'

/** A Sinch that only lists (reconciler tests): a write would be a bug in what the test drives, so it throws. */
export function listingSinch (listMembers: SinchPort['listMembers']): SinchPort {
  return {
    listMembers,
    findMemberByEmail: async () => null,
    invite: async () => { throw new Error('not used') },
    updateMember: async () => { throw new Error('not used') },
    removeMember: async () => ({ alreadyGone: true })
  }
}
