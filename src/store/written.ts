import type { DirectoryStore } from './directory-store.js'

type QueuingWrites = Pick<DirectoryStore, 'createUserAndQueue' | 'updateUserAndQueue' | 'deleteUserAndQueue' | 'createGroupAndQueue' | 'updateGroupAndQueue' | 'deleteGroupAndQueue'>
type PlainWrites = Pick<DirectoryStore, 'createUser' | 'updateUser' | 'deleteUser' | 'createGroup' | 'updateGroup' | 'deleteGroup'>

/** The plain writes of both engines: the queuing ones without the list of queued users. */
export function plainWrites (w: QueuingWrites): PlainWrites {
  return {
    createUser: async (u) => (await w.createUserAndQueue(u)).record,
    updateUser: async (id, u, expected) => (await w.updateUserAndQueue(id, u, expected)).record,
    deleteUser: async (id, expected) => { await w.deleteUserAndQueue(id, expected) },
    createGroup: async (g) => (await w.createGroupAndQueue(g)).record,
    updateGroup: async (id, g, expected) => (await w.updateGroupAndQueue(id, g, expected)).record,
    deleteGroup: async (id, expected) => { await w.deleteGroupAndQueue(id, expected) }
  }
}
