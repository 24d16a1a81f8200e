// Time-ordered ids (RFC 9562 v7): a new user lands at the end of the id index, not on a random
// page, so a burst of creates touches a few pages instead of one per user.
import { v7 as newId } from 'uuid'
import type { DirectoryStore, DocumentRenderer, Query, Queued, UserDocument, UserRead, UserView, Written } from '../directory-store.js'
import type { GroupInput } from '../../domain/groups.js'
import type { UserInput } from '../../domain/users.js'
import { StoreConflictError, StoreNotFoundError, StoreVersionError } from '../directory-store.js'
import type { SubjectReader } from '../types.js'
import type { GroupRecord } from '../../domain/groups.js'
import type { ProvisioningSubject } from '../../domain/subjects.js'
import type { UserRecord } from '../../domain/users.js'
import type { KnownMember } from '../../domain/members.js'
import type { OpState } from '../../domain/op-states.js'
import { groupChange, identityChanged } from '../affected.js'
import { plainWrites } from '../written.js'
import { createStatementCache, type SqliteDatabase } from './database.js'
import { createDocumentKeeper } from './document-keeper.js'
import { orderSql, totalFromPage, whereSql } from '../filter-sql.js'
import { SQLITE_ENQUEUE } from './queue-sql.js'
import type { WriteBatcher } from './batch.js'
import { assignedRoleValues } from '../assigned-roles.js'

interface UserRow { id: string, user_name: string, external_id: string | null, display_name: string | null, active: number, emails: string, resource: string, version: number, created: string, last_modified: string, deleted_at: string | null }
interface GroupRow { id: string, display_name: string, external_id: string | null, resource: string, version: number, created: string, last_modified: string }

const toUser = (r: Omit<UserRow, 'deleted_at'>): UserRecord => ({
  id: r.id, userName: r.user_name, externalId: r.external_id, displayName: r.display_name, active: r.active === 1,
  emails: JSON.parse(r.emails), resource: JSON.parse(r.resource), version: r.version, created: r.created, lastModified: r.last_modified
})

// Only the columns a record needs (not the lower-cased copies, the sequence or the tombstone).
const RECORD_COLUMNS = 'u.id, u.user_name, u.external_id, u.display_name, u.active, u.emails, u.resource, u.version, u.created, u.last_modified'
const VIEW_LISTS = {
  view_groups: `SELECT json_group_array(json_object('id', g.id, 'displayName', g.display_name, 'externalId', g.external_id))
    FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = u.id`,
  view_members: `SELECT json_group_array(json_object('projectId', k.project_id, 'email', k.email_lc, 'sinchUserId', k.sinch_user_id, 'role', k.role, 'status', k.status,
      'scimUserId', k.scim_user_id, 'origin', k.origin, 'seenAt', k.seen_at))
    FROM known_members k WHERE k.scim_user_id = u.id`,
  view_ops: `SELECT json_group_array(json_object('userId', o.user_id, 'projectId', o.project_id, 'state', o.state, 'lastError', o.last_error,
      'attempts', o.attempts, 'updatedAt', o.updated_at))
    FROM op_states o WHERE o.user_id = u.id AND o.state <> 'done'`
}
/**
 * A user row with its groups, known Sinch members and unfinished ops as JSON arrays: a SCIM read
 * is one statement, not four (the Sinch view alone was two more queries per read).
 */
const VIEW_COLUMNS = `${RECORD_COLUMNS}, ${Object.entries(VIEW_LISTS).map(([as, sql]) => `(${sql}) AS ${as}`).join(', ')}`
/**
 * VIEW_COLUMNS beside the user's kept document (`d`, joined on the renderer's key), for a user
 * without one only: CASE evaluates its subquery only when taken, and a user with one costs no copy
 * of its resource either.
 */
const DOCUMENT_COLUMNS = ['d.version AS doc_version', 'd.body AS doc_body', 'u.id',
  ...RECORD_COLUMNS.split(', ').slice(1).map((c) => `CASE WHEN d.body IS NULL THEN ${c} END AS ${c.slice(2)}`),
  ...Object.entries(VIEW_LISTS).map(([as, sql]) => `CASE WHEN d.body IS NULL THEN (${sql}) END AS ${as}`)].join(', ')
interface ViewRow extends Omit<UserRow, 'deleted_at'> { view_groups: string, view_members: string, view_ops: string }
interface DocumentRow extends ViewRow { doc_version: number | null, doc_body: string | null }
/** The view columns of a row (DocumentRow's doc_ columns left out): what the keeper compares. */
const sourceOf = (r: ViewRow & Partial<DocumentRow>): ViewRow => {
  const { doc_version: _v, doc_body: _b, ...row } = r
  return row
}
/** Most users have no ops and many no groups: skip the parse of an empty array. */
const parseList = <T>(json: string): T[] => json === '[]' ? [] : JSON.parse(json) as T[]
const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const byProject = (a: { projectId: string, email?: string }, b: { projectId: string, email?: string }): number =>
  order(a.projectId, b.projectId) || order(a.email ?? '', b.email ?? '')
/**
 * Lists are ordered here, not by ORDER BY inside json_group_array: each such ORDER BY is a sorter
 * per row, and three of them made a one-user read 10× slower. Groups come in membership order from
 * the group_members_user index, as groupsOfUser reads them.
 */
const toView = (r: ViewRow): UserView => ({
  record: toUser(r),
  groups: parseList(r.view_groups),
  members: parseList<KnownMember>(r.view_members).sort(byProject),
  ops: parseList<OpState>(r.view_ops).sort(byProject)
})

/**
 * The SET clauses of a user update, one per group of columns that change together. SQLite
 * rewrites every index on a column named in SET, changed or not: naming only the columns that
 * changed keeps a PATCH of name.givenName off the userName, externalId and displayName indexes
 * (WAL pages per batch of 10 such updates: 31.5 -> 18 at 1,000 users, 52.5 -> 22.3 at 100,000;
 * node bench/store-update.js).
 */
const USER_SETS = [
  'user_name = @userName, user_name_lc = @userNameLc',
  'external_id = @externalId',
  'display_name = @displayName, display_name_lc = @displayNameLc',
  'active = @active',
  'emails = @emails',
  'resource = @resource'
] as const

type UserParams = ReturnType<typeof userParams>

/** Bit i set: USER_SETS[i] differs between the stored row and the new parameters. */
function changedColumns (row: UserRow, p: UserParams): number {
  const changed = [row.user_name !== p.userName, row.external_id !== p.externalId, row.display_name !== p.displayName,
    row.active !== p.active, row.emails !== p.emails, row.resource !== p.resource]
  return changed.reduce((mask, c, i) => (c ? mask | (1 << i) : mask), 0)
}

/** The UPDATE for each set of changed columns, by changedColumns' mask (64 of them). */
const USER_UPDATE_SQL = Array.from({ length: 1 << USER_SETS.length }, (_, mask) => {
  const sets = USER_SETS.filter((_, i) => (mask & (1 << i)) !== 0)
  return `UPDATE users SET ${[...sets, 'version = version + 1', 'last_modified = @now'].join(', ')} WHERE id = @id`
})

function userParams (id: string, u: UserInput, at: string): { id: string, userName: string, userNameLc: string, externalId: string | null, displayName: string | null, displayNameLc: string | null, active: number, emails: string, resource: string, now: string } {
  return {
    id, userName: u.userName, userNameLc: u.userName.toLowerCase(), externalId: u.externalId, displayName: u.displayName,
    displayNameLc: u.displayName?.toLowerCase() ?? null, active: u.active ? 1 : 0, emails: JSON.stringify(u.emails), resource: JSON.stringify(u.resource), now: at
  }
}

function isUnique (err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE'
}

/** `mayKeep`: false once the store refuses writes (a failed sync): from then on documents are rendered, not kept. */
export function createSqliteDirectory (db: SqliteDatabase, write: WriteBatcher = async (fn) => fn(), mayKeep: () => boolean = () => true): DirectoryStore & SubjectReader {
  const now = (): string => new Date().toISOString()
  const st = {
    enqueue: db.prepare(SQLITE_ENQUEUE),
    scanUsers: db.prepare('SELECT * FROM users WHERE deleted_at IS NULL AND seq > ? ORDER BY seq LIMIT CAST(? AS INTEGER)'),
    userById: db.prepare('SELECT * FROM users WHERE id = ? AND deleted_at IS NULL'),
    anyUserById: db.prepare('SELECT * FROM users WHERE id = ?'),
    insertUser: db.prepare(`INSERT INTO users (id, user_name, user_name_lc, external_id, display_name, display_name_lc, active, emails, resource, version, created, last_modified)
      VALUES (@id, @userName, @userNameLc, @externalId, @displayName, @displayNameLc, @active, @emails, @resource, 1, @now, @now)`),
    tombstone: db.prepare('UPDATE users SET deleted_at = ?, version = version + 1, last_modified = ? WHERE id = ?'),
    deleteEmails: db.prepare('DELETE FROM user_emails WHERE user_id = ?'),
    insertEmail: db.prepare('INSERT INTO user_emails (user_id, value_lc, type_lc) VALUES (?, ?, ?)'),
    groupById: db.prepare('SELECT * FROM groups WHERE id = ?'),
    groupHeads: db.prepare(`SELECT g.id, g.display_name AS displayName, g.external_id AS externalId, (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) AS members
      FROM groups g ORDER BY g.display_name_lc, g.id`),
    membersOf: db.prepare('SELECT user_id FROM group_members WHERE group_id = ? ORDER BY rowid').pluck(),
    insertGroup: db.prepare(`INSERT INTO groups (id, display_name, display_name_lc, external_id, resource, version, created, last_modified)
      VALUES (@id, @displayName, @displayNameLc, @externalId, @resource, 1, @now, @now)`),
    updateGroup: db.prepare(`UPDATE groups SET display_name = @displayName, display_name_lc = @displayNameLc, external_id = @externalId, resource = @resource,
      version = version + 1, last_modified = @now WHERE id = @id`),
    deleteGroup: db.prepare('DELETE FROM groups WHERE id = ?'),
    addMember: db.prepare('INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)'),
    removeMember: db.prepare('DELETE FROM group_members WHERE group_id = ? AND user_id = ?'),
    clearMembers: db.prepare('DELETE FROM group_members WHERE group_id = ?'),
    groupsOfUser: db.prepare('SELECT g.id, g.display_name AS displayName, g.external_id AS externalId FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ?'),
    memberNames: db.prepare('SELECT m.user_id AS id, COALESCE(u.display_name, u.user_name) AS name FROM group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = ? AND u.deleted_at IS NULL'),
    liveUserIds: db.prepare('SELECT id FROM users').pluck(),
    withAddress: db.prepare(`SELECT id FROM users WHERE deleted_at IS NULL AND user_name_lc = ?
      UNION SELECT u.id FROM user_emails e JOIN users u ON u.id = e.user_id WHERE e.value_lc = ? AND u.deleted_at IS NULL`).pluck(),
    purge: db.prepare('DELETE FROM users WHERE id = ? AND deleted_at IS NOT NULL'),
    purgeEmails: db.prepare('DELETE FROM user_emails WHERE user_id = ? AND NOT EXISTS (SELECT 1 FROM users WHERE id = ?)'),
    // Nothing is left to change for a purged user: its op states would be re-queued forever.
    purgeOps: db.prepare('DELETE FROM op_states WHERE user_id = ? AND NOT EXISTS (SELECT 1 FROM users WHERE id = ?)'),
    viewById: db.prepare(`SELECT ${VIEW_COLUMNS} FROM users u WHERE u.id = ? AND u.deleted_at IS NULL`),
    documentOf: db.prepare('SELECT version, body FROM user_documents WHERE user_id = ? AND render_key = ?'),
    viewsByIds: db.prepare(`SELECT ${VIEW_COLUMNS} FROM users u WHERE u.id IN (SELECT value FROM json_each(?)) AND u.deleted_at IS NULL`),
    allUsers: db.prepare('SELECT * FROM users WHERE deleted_at IS NULL ORDER BY seq'),
    allGroups: db.prepare('SELECT * FROM groups ORDER BY seq'),
    deleteMemberships: db.prepare('DELETE FROM group_members WHERE user_id = ?'),
    counts: db.prepare('SELECT (SELECT count(*) FROM users WHERE deleted_at IS NULL) AS users, (SELECT count(*) FROM groups) AS groups')
  }

  /** Queues these users in the current transaction and says which ones it queued. */
  const enqueue = (ids: Iterable<string>, at: string): string[] => {
    const queued = [...new Set(ids)]
    for (const userId of queued) st.enqueue.run({ userId, now: at, dueAt: at })
    return queued
  }
  const writeEmails = (id: string, u: UserInput): void => {
    st.deleteEmails.run(id)
    for (const e of u.emails) if (typeof e.value === 'string') st.insertEmail.run(id, e.value.toLowerCase(), e.type?.toLowerCase() ?? null)
  }
  const liveUser = (id: string, expected: number | null): UserRow => {
    const row = st.userById.get(id) as UserRow | undefined
    if (row === undefined) throw new StoreNotFoundError(`user ${id} not found`)
    if (expected !== null && row.version !== expected) throw new StoreVersionError('version mismatch')
    return row
  }
  const toGroup = (r: GroupRow): GroupRecord => ({
    id: r.id, displayName: r.display_name, externalId: r.external_id, memberIds: st.membersOf.all(r.id) as string[],
    resource: JSON.parse(r.resource), version: r.version, created: r.created, lastModified: r.last_modified
  })
  const unique = <T>(attribute: 'userName' | 'displayName', fn: () => T): T => {
    try {
      return fn()
    } catch (err) {
      if (isUnique(err)) throw new StoreConflictError(attribute, { cause: err })
      throw err
    }
  }

  /**
   * The record just written, as a read would return it: its emails and resource parsed from the
   * text stored (copies, so callers cannot alias the input; cheaper than structuredClone, and what
   * JSON cannot hold is gone as it is from a read).
   */
  const written = (id: string, u: UserInput, stored: { emails: string, resource: string }, version: number, created: string, lastModified: string): UserRecord => ({
    id, userName: u.userName, externalId: u.externalId, displayName: u.displayName, active: u.active,
    emails: JSON.parse(stored.emails), resource: JSON.parse(stored.resource), version, created, lastModified
  })
  // SQL built per request (filters, sorting) and the user UPDATE of each set of changed columns, prepared once.
  const prepared = createStatementCache(db)
  const createUser = db.transaction((u: UserInput): Written<UserRecord> => {
    const id = newId()
    const at = now()
    const p = userParams(id, u, at)
    unique('userName', () => st.insertUser.run(p))
    writeEmails(id, u)
    return { record: written(id, u, p, 1, at, at), queued: enqueue([id], at) }
  })
  const updateUser = db.transaction((id: string, u: UserInput, expected: number | null): Written<UserRecord> => {
    const row = liveUser(id, expected)
    const before = toUser(row)
    const at = now()
    const p = userParams(id, u, at)
    unique('userName', () => { const mask = changedColumns(row, p); prepared(USER_UPDATE_SQL[mask] as string, `user-update|${mask}`).run(p) })
    if (row.emails !== p.emails) writeEmails(id, u)
    return { record: written(id, u, p, before.version + 1, before.created, at), queued: identityChanged(before, u) ? enqueue([id], at) : [] }
  })
  const deleteUser = db.transaction((id: string, expected: number | null): Queued => {
    liveUser(id, expected)
    const at = now()
    st.tombstone.run(at, at, id)
    // Memberships go with the user; the tombstone keeps the access removal durable.
    st.deleteMemberships.run(id)
    return { queued: enqueue([id], at) }
  })

  const writeGroup = (id: string, g: GroupInput, at: string, insert: boolean): void => {
    const p = { id, displayName: g.displayName, displayNameLc: g.displayName.toLowerCase(), externalId: g.externalId, resource: JSON.stringify(g.resource), now: at }
    unique('displayName', () => (insert ? st.insertGroup.run(p) : st.updateGroup.run(p)))
  }
  const createGroup = db.transaction((g: GroupInput): Written<GroupRecord> => {
    const id = newId()
    const at = now()
    writeGroup(id, g, at, true)
    const change = groupChange(null, g)
    for (const m of change.added) st.addMember.run(id, m)
    return { record: toGroup(st.groupById.get(id) as GroupRow), queued: enqueue(change.affected, at) }
  })
  const lockedGroup = (id: string, expected: number | null): GroupRow => {
    const row = st.groupById.get(id) as GroupRow | undefined
    if (row === undefined) throw new StoreNotFoundError(`group ${id} not found`)
    if (expected !== null && row.version !== expected) throw new StoreVersionError('version mismatch')
    return row
  }
  const updateGroup = db.transaction((id: string, g: GroupInput, expected: number | null): Written<GroupRecord> => {
    const row = lockedGroup(id, expected)
    const change = groupChange({ displayName: row.display_name, externalId: row.external_id, memberIds: st.membersOf.all(id) as string[] }, g)
    const at = now()
    writeGroup(id, g, at, false)
    for (const m of change.removed) st.removeMember.run(id, m)
    for (const m of change.added) st.addMember.run(id, m)
    return { record: toGroup(st.groupById.get(id) as GroupRow), queued: enqueue(change.affected, at) }
  })
  const deleteGroup = db.transaction((id: string, expected: number | null): Queued => {
    const row = lockedGroup(id, expected)
    const change = groupChange({ displayName: row.display_name, externalId: row.external_id, memberIds: st.membersOf.all(id) as string[] }, null)
    st.clearMembers.run(id)
    st.deleteGroup.run(id)
    return { queued: enqueue(change.affected, now()) }
  })

  /**
   * `columns`: 'view' for VIEW_COLUMNS, a renderer's key for DOCUMENT_COLUMNS (the user's document
   * under that key joined), else the whole row.
   */
  function query<T> (kind: 'user' | 'group', q: Query, map: (r: never) => T, columns: 'row' | 'view' | { documents: string } = 'row'): { total: number, records: T[] } {
    const p: unknown[] = []
    const documents = typeof columns === 'object' ? columns.documents : null
    const from = kind === 'user' ? 'FROM users u' : 'FROM groups g'
    const live = kind === 'user' ? ' WHERE u.deleted_at IS NULL' : ' WHERE 1 = 1'
    if (documents !== null) p.push(documents)
    const where = whereSql(q.where, kind, p)
    const order = orderSql(q, kind)
    const select = documents !== null ? `${DOCUMENT_COLUMNS} ${from} LEFT JOIN user_documents d ON d.user_id = u.id AND d.render_key = ?` : `${columns === 'view' ? VIEW_COLUMNS : kind === 'user' ? 'u.*' : 'g.*'} ${from}`
    // A bare `LIMIT ?` costs a lookup about 12 µs more than the lookup itself (measured on
    // better-sqlite3 12, 1,000 users); the CAST restores the plain indexed cost.
    const rows = q.limit === 0
      ? []
      : prepared(`SELECT ${select}${live}${where}${order} LIMIT CAST(? AS INTEGER) OFFSET CAST(? AS INTEGER)`, `${kind}|${documents === null ? String(columns) : 'documents'}|${where}|${order}`).all(...p, q.limit, q.offset)
    const total = totalFromPage(q.offset, q.limit, rows.length) ?? (prepared(`SELECT count(*) ${from}${live}${where}`, `${kind}|count|${where}`).pluck().get(...(documents === null ? p : p.slice(1))) as number)
    return { total, records: rows.map((r) => map(r as never)) }
  }

  /** Reads answered from a kept document, and reads rendered from the view (DocumentStats). */
  const reads = { served: 0, rendered: 0 }
  const keeper = createDocumentKeeper(db, (id) => st.viewById.get(id) as ViewRow | undefined, mayKeep)
  /**
   * The keeper's stamp and the rows a document is rendered from, read in one read transaction:
   * the stamp then names the very snapshot the rows come from (a stamp taken after the rows in a
   * snapshot of its own would let a commit of another connection in between pass for one the read
   * saw), and SQLite takes its WAL read lock once instead of once per statement: two fcntl calls a
   * statement, about 4 µs of a read on a VM (PRAGMA data_version alone cost 5 µs).
   * Rendering and keeping stay outside: a keep is a write, never inside a read transaction.
   */
  const snapshot = db.transaction((read: (stamp: string) => unknown) => read(keeper.stamp()))
  const inSnapshot = <T>(read: (stamp: string) => T): T => snapshot(read) as T
  /**
   * A user's document from its row: the one kept, else rendered from the view the row holds and
   * handed to the keeper with `stamp`, the keeper's stamp of the snapshot the row was read in.
   */
  const documentOf = (r: ViewRow & Partial<DocumentRow>, key: string, render: DocumentRenderer, stamp: string): UserRead => {
    if (typeof r.doc_body === 'string' && typeof r.doc_version === 'number') { reads.served++; return { version: r.doc_version, body: r.doc_body } }
    reads.rendered++
    const view = toView(r)
    const body = render(view)
    if (body === null) return view
    keeper.keep(sourceOf(r), key, body, stamp)
    return { version: r.version, body }
  }

  const queuing = {
    createUserAndQueue: async (u: UserInput) => await write(() => createUser(u)),
    updateUserAndQueue: async (id: string, u: UserInput, expected: number | null) => await write(() => updateUser(id, u, expected)),
    deleteUserAndQueue: async (id: string, expected: number | null) => await write(() => deleteUser(id, expected)),
    createGroupAndQueue: async (g: GroupInput) => await write(() => createGroup(g)),
    updateGroupAndQueue: async (id: string, g: GroupInput, expected: number | null) => await write(() => updateGroup(id, g, expected)),
    deleteGroupAndQueue: async (id: string, expected: number | null) => await write(() => deleteGroup(id, expected))
  }

  return {
    ...queuing,
    ...plainWrites(queuing),
    getUser: async (id) => {
      const r = st.userById.get(id) as UserRow | undefined
      return r === undefined ? null : toUser(r)
    },
    queryUsers: async (q) => query('user', q, toUser),
    queryUserViews: async (q) => query('user', q, toView, 'view'),
    userDocument: async (id, key, render) => {
      const kept = st.documentOf.get(id, key) as UserDocument | undefined
      if (kept !== undefined) { reads.served++; return kept }
      const { stamp, r } = inSnapshot((stamp) => ({ stamp, r: st.viewById.get(id) as ViewRow | undefined }))
      return r === undefined ? null : documentOf(r, key, render, stamp)
    },
    queryUserDocuments: async (q, key, render) => {
      const { stamp, page } = inSnapshot((stamp) => ({ stamp, page: query('user', q, (r: DocumentRow) => r, { documents: key }) }))
      return { total: page.total, records: page.records.map((r) => documentOf(r, key, render, stamp)) }
    },
    documentStats: () => ({ ...reads, ...keeper.counts() }),
    allUsers: async () => (st.allUsers.all() as UserRow[]).map(toUser),
    scanUsers: async (after, limit) => {
      const rows = st.scanUsers.all(after, limit) as Array<UserRow & { seq: number }>
      const last = rows.at(-1)
      return { records: rows.map(toUser), next: rows.length < limit || last === undefined ? null : last.seq }
    },
    groupsOfUsers: async (ids) => new Map(ids.map((id) => [id, (st.groupsOfUser.all(id) as Array<{ id: string, displayName: string }>).map((g) => ({ id: g.id, displayName: g.displayName }))])),
    userViews: async (ids) => {
      if (ids.length === 1) {
        const r = st.viewById.get(ids[0]) as ViewRow | undefined
        return r === undefined ? [] : [toView(r)]
      }
      if (ids.length === 0) return []
      const byId = new Map((st.viewsByIds.all(JSON.stringify(ids)) as ViewRow[]).map((r) => [r.id, r]))
      return [...new Set(ids)].flatMap((id) => { const r = byId.get(id); return r === undefined ? [] : [toView(r)] })
    },
    existingUserIds: async (ids) => new Set(ids.filter((id) => st.userById.get(id) !== undefined)),
    memberNames: async (groupIds) => {
      const out = new Map<string, string>()
      for (const g of new Set(groupIds)) for (const r of st.memberNames.all(g) as Array<{ id: string, name: string }>) out.set(r.id, r.name)
      return out
    },
    getGroup: async (id) => {
      const r = st.groupById.get(id) as GroupRow | undefined
      return r === undefined ? null : toGroup(r)
    },
    queryGroups: async (q) => query('group', q, toGroup),
    allGroups: async () => (st.allGroups.all() as GroupRow[]).map(toGroup),
    groupHeads: async () => st.groupHeads.all() as Array<{ id: string, displayName: string, externalId: string | null, members: number }>,
    counts: async () => st.counts.get() as { users: number, groups: number },

    async getSubject (userId): Promise<ProvisioningSubject | null> {
      const r = st.anyUserById.get(userId) as UserRow | undefined
      if (r === undefined) return null
      return {
        userId, userName: r.user_name, active: r.active === 1, deleted: r.deleted_at !== null, emails: JSON.parse(r.emails),
        groups: st.groupsOfUser.all(userId) as ProvisioningSubject['groups'], roles: assignedRoleValues(JSON.parse(r.resource))
      }
    },
    listSubjectIds: async () => st.liveUserIds.all() as string[],
    userIdsWithAddress: async (email) => st.withAddress.all(email.toLowerCase(), email.toLowerCase()) as string[],
    async purgeDeletedUser (userId) {
      await write(() => {
        st.purge.run(userId)
        st.purgeEmails.run(userId, userId)
        st.purgeOps.run(userId, userId)
      })
    }
  }
}
