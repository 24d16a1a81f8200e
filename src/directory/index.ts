import type { DirectoryStore, GroupInput, Query, UserInput, Where } from '../store/directory-store.js'
import type { GroupRecord, UserRecord } from '../store/types.js'

export interface ListRequest {
  /** Index lookups when the filter allows it; otherwise `match` is asked about every resource. */
  where: Where | null
  match: ((resource: Record<string, unknown>) => boolean) | null
  /** The filter reads a user's groups, which live beside the user, not in its resource. */
  usesGroups?: boolean
  sortBy: Query['sortBy']
  descending: boolean
  offset: number
  limit: number
}

/** The shape the fallback matcher sees: the stored resource with its id, active flag and meta. */
const asResource = (r: UserRecord | GroupRecord, extra: Record<string, unknown>): Record<string, unknown> =>
  ({ ...r.resource, id: r.id, ...extra, meta: { created: r.created, lastModified: r.lastModified } })

function sortKey (r: UserRecord | GroupRecord, sortBy: Query['sortBy']): string {
  switch (sortBy) {
    case 'userName': return ('userName' in r ? r.userName : '').toLowerCase()
    case 'displayName': return (r.displayName ?? '').toLowerCase()
    case 'externalId': return r.externalId ?? ''
    case 'meta.created': return r.created
    case 'meta.lastModified': return r.lastModified
    case 'id': return r.id
    default: return ''
  }
}

function inMemory<T extends UserRecord | GroupRecord> (all: T[], req: ListRequest, extra: (r: T) => Record<string, unknown>): { total: number, records: T[] } {
  const matched = req.match === null ? all : all.filter((r) => req.match?.(asResource(r, extra(r))) === true)
  if (req.sortBy !== null) {
    const dir = req.descending ? -1 : 1
    matched.sort((a, b) => sortKey(a, req.sortBy).localeCompare(sortKey(b, req.sortBy)) * dir)
  }
  return { total: matched.length, records: req.limit === 0 ? [] : matched.slice(req.offset, req.offset + req.limit) }
}

/** Desired state as the SCIM layer sees it: users and groups over the store. */
export function createDirectory (store: DirectoryStore) {
  return {
    createUser: async (u: UserInput) => await store.createUser(u),
    replaceUser: async (id: string, u: UserInput, expectedVersion: number | null) => await store.updateUser(id, u, expectedVersion),
    deleteUser: async (id: string, expectedVersion: number | null) => { await store.deleteUser(id, expectedVersion) },
    getUser: async (id: string) => await store.getUser(id),
    /** Puts a user back as it was (a permanent Sinch rejection undoes the SCIM write). */
    restoreUser: async (previous: UserRecord | null, createdId: string) => {
      if (previous === null) {
        await store.deleteUser(createdId, null)
        return
      }
      const { userName, externalId, displayName, active, emails, resource } = previous
      await store.updateUser(previous.id, { userName, externalId, displayName, active, emails, resource }, null)
    },
    async listUsers (req: ListRequest): Promise<{ total: number, records: UserRecord[] }> {
      if (req.match === null || req.where !== null) return await store.queryUsers({ where: req.where, sortBy: req.sortBy, descending: req.descending, offset: req.offset, limit: req.limit })
      const users = await store.allUsers()
      const groups = req.usesGroups === true ? await store.groupsOfUsers(users.map((u) => u.id)) : null
      return inMemory(users, req, (u) => ({
        active: u.active,
        ...(groups === null ? {} : { groups: (groups.get(u.id) ?? []).map((g) => ({ value: g.id, display: g.displayName })) })
      }))
    },
    groupsOfUsers: async (ids: string[]) => await store.groupsOfUsers(ids),
    existingUserIds: async (ids: string[]) => await store.existingUserIds(ids),
    memberNames: async (groupIds: string[]) => groupIds.length === 0 ? new Map<string, string>() : await store.memberNames(groupIds),

    createGroup: async (g: GroupInput) => await store.createGroup(g),
    replaceGroup: async (id: string, g: GroupInput, expectedVersion: number | null) => await store.updateGroup(id, g, expectedVersion),
    deleteGroup: async (id: string, expectedVersion: number | null) => { await store.deleteGroup(id, expectedVersion) },
    getGroup: async (id: string) => await store.getGroup(id),
    async listGroups (req: ListRequest): Promise<{ total: number, records: GroupRecord[] }> {
      if (req.match === null || req.where !== null) return await store.queryGroups({ where: req.where, sortBy: req.sortBy, descending: req.descending, offset: req.offset, limit: req.limit })
      return inMemory(await store.allGroups(), req, (g) => ({ displayName: g.displayName, members: g.memberIds.map((value) => ({ value })) }))
    }
  }
}

export type Directory = ReturnType<typeof createDirectory>
