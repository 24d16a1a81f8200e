import { v7 as newId } from 'uuid'
import type pg from 'pg'
import type { DirectoryStore, Query, Queued, UserView, Written } from '../directory-store.js'
import type { GroupInput } from '../../domain/groups.js'
import type { UserInput } from '../../domain/users.js'
import { StoreConflictError, StoreNotFoundError, StoreVersionError } from '../directory-store.js'
import { POSTGRES_DIALECT, orderSql, totalFromPage, whereSql } from '../filter-sql.js'
import type { SubjectReader } from '../types.js'
import type { GroupRecord } from '../../domain/groups.js'
import type { ProvisioningSubject } from '../../domain/subjects.js'
import type { UserRecord } from '../../domain/users.js'
import { groupChange, identityChanged } from '../affected.js'
import { plainWrites } from '../written.js'
import { PG_ENQUEUE, inTransaction, isUniqueViolation } from './pool.js'
import { assignedRoleValues } from '../assigned-roles.js'

interface UserRow { id: string, user_name: string, external_id: string | null, display_name: string | null, active: boolean, emails: string, resource: string, version: number, created: string, last_modified: string, deleted_at: string | null }
interface GroupRow { id: string, display_name: string, external_id: string | null, resource: string, version: number, created: string, last_modified: string }

const toUser = (r: Omit<UserRow, 'deleted_at'>): UserRecord => ({
  id: r.id, userName: r.user_name, externalId: r.external_id, displayName: r.display_name, active: r.active,
  emails: JSON.parse(r.emails), resource: JSON.parse(r.resource), version: r.version, created: r.created, lastModified: r.last_modified
})

/**
 * A user row with its groups, known Sinch members and unfinished ops as JSON arrays: a SCIM read
 * is one round trip, not four. Named, so each connection plans it once.
 */
// Only the columns a record needs (not the lower-cased copies, the sequence or the tombstone).
const VIEW_COLUMNS = `u.id, u.user_name, u.external_id, u.display_name, u.active, u.emails, u.resource, u.version, u.created, u.last_modified,
  COALESCE((SELECT json_agg(json_build_object('id', g.id, 'displayName', g.display_name, 'externalId', g.external_id) ORDER BY m.seq)
    FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = u.id), '[]'::json) AS view_groups,
  COALESCE((SELECT json_agg(json_build_object('projectId', k.project_id, 'email', k.email_lc, 'sinchUserId', k.sinch_user_id, 'role', k.role, 'status', k.status,
      'scimUserId', k.scim_user_id, 'origin', k.origin, 'seenAt', k.seen_at) ORDER BY k.project_id, k.email_lc)
    FROM known_members k WHERE k.scim_user_id = u.id), '[]'::json) AS view_members,
  COALESCE((SELECT json_agg(json_build_object('userId', o.user_id, 'projectId', o.project_id, 'state', o.state, 'lastError', o.last_error,
      'attempts', o.attempts, 'updatedAt', o.updated_at) ORDER BY o.project_id)
    FROM op_states o WHERE o.user_id = u.id AND o.state <> 'done'), '[]'::json) AS view_ops`
const VIEWS = { name: 'user-views', text: `SELECT ${VIEW_COLUMNS} FROM users u WHERE u.id = ANY($1::text[]) AND u.deleted_at IS NULL` }
const toView = (r: ViewRow): UserView => ({ record: toUser(r), groups: r.view_groups, members: r.view_members, ops: r.view_ops })
type ViewRow = Omit<UserRow, 'deleted_at'> & { view_groups: UserView['groups'], view_members: UserView['members'], view_ops: UserView['ops'] }

async function unique<T> (attribute: 'userName' | 'displayName', fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (isUniqueViolation(err)) throw new StoreConflictError(attribute, { cause: err })
    throw err
  }
}

/** The directory half on PostgreSQL: the same semantics as SQLite, uniqueness held by indexes. */
export function createPostgresDirectory (pool: pg.Pool): DirectoryStore & SubjectReader {
  const now = (): string => new Date().toISOString()
  /** Queues these users in the transaction of `c` and says which ones it queued. */
  const enqueue = async (c: pg.PoolClient, ids: string[], at: string): Promise<string[]> => {
    const queued = [...new Set(ids)]
    if (queued.length > 0) await c.query(PG_ENQUEUE, [queued, at])
    return queued
  }
  const userParams = (id: string, u: UserInput, at: string): unknown[] => [id, u.userName, u.userName.toLowerCase(), u.externalId, u.displayName, u.displayName?.toLowerCase() ?? null, u.active, JSON.stringify(u.emails), JSON.stringify(u.resource), at]
  const writeEmails = async (c: pg.PoolClient, id: string, u: UserInput): Promise<void> => {
    await c.query('DELETE FROM user_emails WHERE user_id = $1', [id])
    const emails = u.emails.filter((e) => typeof e.value === 'string')
    if (emails.length > 0) {
      await c.query('INSERT INTO user_emails (user_id, value_lc, type_lc) SELECT $1, v, t FROM unnest($2::text[], $3::text[]) AS x(v, t)', [id, emails.map((e) => e.value.toLowerCase()), emails.map((e) => e.type?.toLowerCase() ?? null)])
    }
  }
  const liveUser = async (c: pg.PoolClient | pg.Pool, id: string, expected: number | null, lock = false): Promise<UserRow> => {
    const r = (await c.query<UserRow>(`SELECT * FROM users WHERE id = $1 AND deleted_at IS NULL${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0]
    if (r === undefined) throw new StoreNotFoundError(`user ${id} not found`)
    if (expected !== null && r.version !== expected) throw new StoreVersionError('version mismatch')
    return r
  }
  const members = async (c: pg.PoolClient | pg.Pool, groupId: string): Promise<string[]> =>
    (await c.query<{ user_id: string }>('SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY seq', [groupId])).rows.map((r) => r.user_id)
  const toGroup = async (c: pg.PoolClient | pg.Pool, r: GroupRow): Promise<GroupRecord> => ({
    id: r.id, displayName: r.display_name, externalId: r.external_id, memberIds: await members(c, r.id),
    resource: JSON.parse(r.resource), version: r.version, created: r.created, lastModified: r.last_modified
  })
  const lockedGroup = async (c: pg.PoolClient, id: string, expected: number | null): Promise<GroupRow> => {
    const r = (await c.query<GroupRow>('SELECT * FROM groups WHERE id = $1 FOR UPDATE', [id])).rows[0]
    if (r === undefined) throw new StoreNotFoundError(`group ${id} not found`)
    if (expected !== null && r.version !== expected) throw new StoreVersionError('version mismatch')
    return r
  }
  async function query<R, T> (kind: 'user' | 'group', q: Query, map: (r: R) => T | Promise<T>, columns = kind === 'user' ? 'u.*' : 'g.*'): Promise<{ total: number, records: T[] }> {
    const p: unknown[] = []
    const base = kind === 'user' ? 'FROM users u WHERE u.deleted_at IS NULL' : 'FROM groups g WHERE 1 = 1'
    const where = whereSql(q.where, kind, p, POSTGRES_DIALECT)
    const rows = q.limit === 0 ? [] : (await pool.query(`SELECT ${columns} ${base}${where}${orderSql(q, kind)} LIMIT ${Number(q.limit)} OFFSET ${Number(q.offset)}`, p)).rows as R[]
    const total = totalFromPage(q.offset, q.limit, rows.length) ?? Number((await pool.query<{ n: string }>(`SELECT count(*) AS n ${base}${where}`, p)).rows[0]?.n ?? 0)
    return { total, records: await Promise.all(rows.map(map)) }
  }

  const groupRow = async (c: pg.PoolClient, id: string): Promise<GroupRecord> =>
    await toGroup(c, (await c.query<GroupRow>('SELECT * FROM groups WHERE id = $1', [id])).rows[0] as GroupRow)
  const queuing = {
    createUserAndQueue: async (u: UserInput): Promise<Written<UserRecord>> => await unique('userName', async () => await inTransaction(pool, async (c) => {
      const id = newId()
      const at = now()
      await c.query(`INSERT INTO users (id, user_name, user_name_lc, external_id, display_name, display_name_lc, active, emails, resource, version, created, last_modified)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)`, userParams(id, u, at))
      await writeEmails(c, id, u)
      const queued = await enqueue(c, [id], at)
      return { record: toUser(await liveUser(c, id, null)), queued }
    })),
    updateUserAndQueue: async (id: string, u: UserInput, expected: number | null): Promise<Written<UserRecord>> => await unique('userName', async () => await inTransaction(pool, async (c) => {
      const before = toUser(await liveUser(c, id, expected, true))
      const at = now()
      await c.query(`UPDATE users SET user_name = $2, user_name_lc = $3, external_id = $4, display_name = $5, display_name_lc = $6, active = $7, emails = $8, resource = $9,
        version = version + 1, last_modified = $10 WHERE id = $1`, userParams(id, u, at))
      if (JSON.stringify(before.emails) !== JSON.stringify(u.emails)) await writeEmails(c, id, u)
      const queued = identityChanged(before, u) ? await enqueue(c, [id], at) : []
      return { record: toUser(await liveUser(c, id, null)), queued }
    })),
    deleteUserAndQueue: async (id: string, expected: number | null): Promise<Queued> => await inTransaction(pool, async (c) => {
      await liveUser(c, id, expected, true)
      const at = now()
      await c.query('UPDATE users SET deleted_at = $2, version = version + 1, last_modified = $2 WHERE id = $1', [id, at])
      await c.query('DELETE FROM group_members WHERE user_id = $1', [id])
      return { queued: await enqueue(c, [id], at) }
    }),
    createGroupAndQueue: async (g: GroupInput): Promise<Written<GroupRecord>> => await unique('displayName', async () => await inTransaction(pool, async (c) => {
      const id = newId()
      const at = now()
      await c.query('INSERT INTO groups (id, display_name, display_name_lc, external_id, resource, version, created, last_modified) VALUES ($1, $2, $3, $4, $5, 1, $6, $6)',
        [id, g.displayName, g.displayName.toLowerCase(), g.externalId, JSON.stringify(g.resource), at])
      const change = groupChange(null, g)
      for (const m of change.added) await c.query('INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, m])
      const queued = await enqueue(c, change.affected, at)
      return { record: await groupRow(c, id), queued }
    })),
    updateGroupAndQueue: async (id: string, g: GroupInput, expected: number | null): Promise<Written<GroupRecord>> => await unique('displayName', async () => await inTransaction(pool, async (c) => {
      const row = await lockedGroup(c, id, expected)
      const change = groupChange({ displayName: row.display_name, externalId: row.external_id, memberIds: await members(c, id) }, g)
      const at = now()
      await c.query('UPDATE groups SET display_name = $2, display_name_lc = $3, external_id = $4, resource = $5, version = version + 1, last_modified = $6 WHERE id = $1',
        [id, g.displayName, g.displayName.toLowerCase(), g.externalId, JSON.stringify(g.resource), at])
      if (change.removed.length > 0) await c.query('DELETE FROM group_members WHERE group_id = $1 AND user_id = ANY($2::text[])', [id, change.removed])
      for (const m of change.added) await c.query('INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, m])
      const queued = await enqueue(c, change.affected, at)
      return { record: await groupRow(c, id), queued }
    })),
    deleteGroupAndQueue: async (id: string, expected: number | null): Promise<Queued> => await inTransaction(pool, async (c) => {
      const row = await lockedGroup(c, id, expected)
      const change = groupChange({ displayName: row.display_name, externalId: row.external_id, memberIds: await members(c, id) }, null)
      await c.query('DELETE FROM group_members WHERE group_id = $1', [id])
      await c.query('DELETE FROM groups WHERE id = $1', [id])
      return { queued: await enqueue(c, change.affected, now()) }
    })
  }

  return {
    ...queuing,
    ...plainWrites(queuing),
    getUser: async (id) => {
      const r = (await pool.query<UserRow>('SELECT * FROM users WHERE id = $1 AND deleted_at IS NULL', [id])).rows[0]
      return r === undefined ? null : toUser(r)
    },
    queryUsers: async (q) => await query<UserRow, UserRecord>('user', q, toUser),
    queryUserViews: async (q) => await query<ViewRow, UserView>('user', q, toView, VIEW_COLUMNS),
    allUsers: async () => (await pool.query<UserRow>('SELECT * FROM users WHERE deleted_at IS NULL ORDER BY seq')).rows.map(toUser),
    scanUsers: async (after, limit) => {
      const rows = (await pool.query<UserRow & { seq: string }>('SELECT * FROM users WHERE deleted_at IS NULL AND seq > $1 ORDER BY seq LIMIT $2', [after, limit])).rows
      const last = rows.at(-1)
      return { records: rows.map(toUser), next: rows.length < limit || last === undefined ? null : Number(last.seq) }
    },
    groupsOfUsers: async (ids) => {
      const out = new Map<string, Array<{ id: string, displayName: string }>>(ids.map((id) => [id, []]))
      const rows = (await pool.query<{ user_id: string, id: string, display_name: string }>('SELECT m.user_id, g.id, g.display_name FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ANY($1::text[]) ORDER BY m.seq', [ids])).rows
      for (const r of rows) out.get(r.user_id)?.push({ id: r.id, displayName: r.display_name })
      return out
    },
    memberNames: async (groupIds) => {
      const rows = (await pool.query<{ id: string, name: string }>('SELECT m.user_id AS id, COALESCE(u.display_name, u.user_name) AS name FROM group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = ANY($1::text[]) AND u.deleted_at IS NULL', [groupIds])).rows
      return new Map(rows.map((r) => [r.id, r.name]))
    },
    userViews: async (ids) => {
      if (ids.length === 0) return []
      const byId = new Map((await pool.query<ViewRow>({ ...VIEWS, values: [ids] })).rows.map((r) => [r.id, r]))
      return [...new Set(ids)].flatMap((id) => {
        const r = byId.get(id)
        return r === undefined ? [] : [toView(r)]
      })
    },
    existingUserIds: async (ids) => new Set((await pool.query<{ id: string }>('SELECT id FROM users WHERE id = ANY($1::text[]) AND deleted_at IS NULL', [ids])).rows.map((r) => r.id)),
    getGroup: async (id) => {
      const r = (await pool.query<GroupRow>('SELECT * FROM groups WHERE id = $1', [id])).rows[0]
      return r === undefined ? null : await toGroup(pool, r)
    },
    queryGroups: async (q) => await query<GroupRow, GroupRecord>('group', q, async (r) => await toGroup(pool, r)),
    allGroups: async () => await Promise.all((await pool.query<GroupRow>('SELECT * FROM groups ORDER BY seq')).rows.map(async (r) => await toGroup(pool, r))),
    groupHeads: async () => (await pool.query<{ id: string, displayName: string, externalId: string | null, members: string }>(`SELECT g.id, g.display_name AS "displayName", g.external_id AS "externalId",
      (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) AS members FROM groups g ORDER BY g.display_name_lc, g.id`)).rows.map((r) => ({ ...r, members: Number(r.members) })),
    counts: async () => {
      const r = (await pool.query<{ users: string, groups: string }>('SELECT (SELECT count(*) FROM users WHERE deleted_at IS NULL) AS users, (SELECT count(*) FROM groups) AS groups')).rows[0]
      return { users: Number(r?.users ?? 0), groups: Number(r?.groups ?? 0) }
    },
    async getSubject (userId): Promise<ProvisioningSubject | null> {
      const r = (await pool.query<UserRow>('SELECT * FROM users WHERE id = $1', [userId])).rows[0]
      if (r === undefined) return null
      const groups = (await pool.query<{ id: string, displayName: string, externalId: string | null }>('SELECT g.id, g.display_name AS "displayName", g.external_id AS "externalId" FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = $1 ORDER BY m.seq', [userId])).rows
      return { userId, userName: r.user_name, active: r.active, deleted: r.deleted_at !== null, emails: JSON.parse(r.emails), groups, roles: assignedRoleValues(JSON.parse(r.resource)) }
    },
    listSubjectIds: async () => (await pool.query<{ id: string }>('SELECT id FROM users ORDER BY seq')).rows.map((r) => r.id),
    userIdsWithAddress: async (email) => (await pool.query<{ id: string }>(`SELECT id FROM users WHERE deleted_at IS NULL AND user_name_lc = $1
      UNION SELECT u.id FROM user_emails e JOIN users u ON u.id = e.user_id WHERE e.value_lc = $1 AND u.deleted_at IS NULL`, [email.toLowerCase()])).rows.map((r) => r.id),
    purgeDeletedUser: async (userId) => {
      await inTransaction(pool, async (c) => {
        const gone = await c.query('DELETE FROM users WHERE id = $1 AND deleted_at IS NOT NULL', [userId])
        if ((gone.rowCount ?? 0) > 0) {
          await c.query('DELETE FROM user_emails WHERE user_id = $1', [userId])
          // Nothing is left to change for a purged user: its op states would be re-queued forever.
          await c.query('DELETE FROM op_states WHERE user_id = $1', [userId])
        }
      })
    }
  }
}
