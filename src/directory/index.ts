import type { DirectoryStore, DocumentRenderer, UserRead } from '../store/directory-store.js'
import { createGroupCases } from './groups.js'
import { createListCases } from './list.js'
import type { ApplyNowPort, DirectoryLog } from './ports.js'
import { createUserCases } from './users.js'

export type { ListRequest } from './list.js'
export type { ApplyNowPort, ApplyNowOptions, Rejection } from './ports.js'
export { SinchRejectedError, UnknownMembersError } from './errors.js'

export interface DirectoryDeps {
  /** Asked to apply the users a write queued; absent, the queue worker alone applies them. */
  provisioning?: ApplyNowPort | undefined
  log?: DirectoryLog | undefined
  /** How many users one group write applies while the IdP waits (groups.ts APPLY_NOW_LIMIT). */
  applyNowLimit?: number
}

/**
 * Desired state as the SCIM layer sees it: every write use case does the durable write (which
 * queues the affected users), asks provisioning to apply them now, and undoes on a permanent
 * rejection; reads go to the store.
 */
export function createDirectory (store: DirectoryStore, deps: DirectoryDeps = {}) {
  return {
    ...createUserCases({ store, provisioning: deps.provisioning }),
    ...createGroupCases({ store, provisioning: deps.provisioning, log: deps.log, ...(deps.applyNowLimit === undefined ? {} : { applyNowLimit: deps.applyNowLimit }) }),
    ...createListCases(store),
    getUser: async (id: string) => await store.getUser(id),
    userViews: async (ids: string[]) => await store.userViews(ids),
    /** The user's document where the store keeps documents, else its view (DirectoryStore.userDocument); null for no such user. */
    userDocument: async (id: string, key: string, render: DocumentRenderer): Promise<UserRead | null> =>
      store.userDocument !== undefined ? await store.userDocument(id, key, render) : (await store.userViews([id]))[0] ?? null,
    getGroup: async (id: string) => await store.getGroup(id),
    groupsOfUsers: async (ids: string[]) => await store.groupsOfUsers(ids),
    memberNames: async (groupIds: string[]) => groupIds.length === 0 ? new Map<string, string>() : await store.memberNames(groupIds)
  }
}

export type Directory = ReturnType<typeof createDirectory>
