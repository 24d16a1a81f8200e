import type { DirectoryStore, DocumentRenderer, Query, UserRead, UserView, Where } from '../store/directory-store.js'
import type { GroupRecord } from '../domain/groups.js'
import type { UserRecord } from '../domain/users.js'

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

export interface ListResult<T> { total: number, records: T[] }

/** Users read per store round trip while a filter no index answers is matched. */
export const SCAN_BATCH = 500

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

/**
 * Keeps the page asked for out of matches that arrive in insertion order, and counts them all:
 * unsorted, only the matches inside [offset, offset + limit); sorted, the first offset + limit by
 * the sort key, in the order a stable sort of every match would give (ties keep insertion order).
 */
function pageKeeper<T extends UserRecord | GroupRecord> (req: ListRequest) {
  const end = req.offset + req.limit
  const kept: Array<{ key: string, record: T }> = []
  const dir = req.descending ? -1 : 1
  let total = 0
  return {
    add (record: T): void {
      const n = total++
      if (req.limit === 0) return
      if (req.sortBy === null) {
        if (n >= req.offset && n < end) kept.push({ key: '', record })
        return
      }
      const key = sortKey(record, req.sortBy)
      // After every equal key: the first position whose key sorts strictly after this one.
      let lo = 0
      let hi = kept.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if ((kept[mid] as { key: string }).key.localeCompare(key) * dir <= 0) lo = mid + 1
        else hi = mid
      }
      if (lo >= end) return
      kept.splice(lo, 0, { key, record })
      if (kept.length > end) kept.pop()
    },
    result (): ListResult<T> {
      const records = kept.map((k) => k.record)
      return { total, records: req.sortBy === null ? records : records.slice(req.offset, end) }
    }
  }
}

/** Reads of the directory for SCIM list and search requests. */
export function createListCases (store: DirectoryStore, scanBatch = SCAN_BATCH) {
  const cases = {
    /**
     * A filter no index answers is matched batch by batch (keyset on insertion order), so a request
     * holds one batch and the page asked for, never the whole directory (at 10,000 users a full read
     * took 258–347 ms per request and 16 such requests in parallel added 103 MiB).
     */
    async listUsers (req: ListRequest): Promise<ListResult<UserRecord>> {
      const { match } = req
      if (match === null || req.where !== null) return await store.queryUsers({ where: req.where, sortBy: req.sortBy, descending: req.descending, offset: req.offset, limit: req.limit })
      const page = pageKeeper<UserRecord>(req)
      let cursor: number | null = 0
      while (cursor !== null) {
        const batch = await store.scanUsers(cursor, scanBatch)
        const groups = req.usesGroups === true ? await store.groupsOfUsers(batch.records.map((u) => u.id)) : null
        for (const u of batch.records) {
          const extra = { active: u.active, ...(groups === null ? {} : { groups: (groups.get(u.id) ?? []).map((g) => ({ value: g.id, display: g.displayName })) }) }
          if (match(asResource(u, extra))) page.add(u)
        }
        cursor = batch.next
      }
      return page.result()
    },
    async listGroups (req: ListRequest): Promise<ListResult<GroupRecord>> {
      const { match } = req
      if (match === null || req.where !== null) return await store.queryGroups({ where: req.where, sortBy: req.sortBy, descending: req.descending, offset: req.offset, limit: req.limit })
      const page = pageKeeper<GroupRecord>(req)
      for (const g of await store.allGroups()) {
        if (match(asResource(g, { displayName: g.displayName, members: g.memberIds.map((value) => ({ value })) }))) page.add(g)
      }
      return page.result()
    }
  }
  /** listUsers with each user's view: one statement when the indexes answer, else the scan and one read of the page's views. */
  async function listUserViews (req: ListRequest): Promise<ListResult<UserView>> {
    if (req.match === null || req.where !== null) return await store.queryUserViews({ where: req.where, sortBy: req.sortBy, descending: req.descending, offset: req.offset, limit: req.limit })
    const { total, records } = await cases.listUsers(req)
    return { total, records: records.length === 0 ? [] : await store.userViews(records.map((u) => u.id)) }
  }
  return {
    ...cases,
    listUserViews,
    /** listUserViews as documents where the store keeps them (DirectoryStore.userDocument), else as views. */
    async listUserDocuments (req: ListRequest, key: string, render: DocumentRenderer): Promise<ListResult<UserRead>> {
      if (store.queryUserDocuments === undefined || (req.match !== null && req.where === null)) return await listUserViews(req)
      return await store.queryUserDocuments({ where: req.where, sortBy: req.sortBy, descending: req.descending, offset: req.offset, limit: req.limit }, key, render)
    }
  }
}
