import type pg from 'pg'
import type { ProvisioningStore, QueueEntry } from '../types.js'
import type { AuditEntry } from '../../domain/audit.js'
import type { KnownMember } from '../../domain/members.js'
import type { OpState } from '../../domain/op-states.js'
import { PG_ENQUEUE, inTransaction } from './pool.js'
import { addressKey } from '../address-key.js'

interface KnownRow { project_id: string, email_lc: string, sinch_user_id: string | null, role: KnownMember['role'], status: KnownMember['status'], scim_user_id: string | null, origin: KnownMember['origin'], seen_at: string }
const toKnown = (r: KnownRow): KnownMember => ({ projectId: r.project_id, email: r.email_lc, sinchUserId: r.sinch_user_id, role: r.role, status: r.status, scimUserId: r.scim_user_id, origin: r.origin, seenAt: r.seen_at })
interface AuditRow { id: string, at: string, scim_user_id: string | null, email: string, project_id: string, action: AuditEntry['action'], from_role: AuditEntry['fromRole'], to_role: AuditEntry['toRole'], rule: string, outcome: AuditEntry['outcome'], detail: string | null, duration_ms: number }
const toAudit = (r: AuditRow): AuditEntry => ({ id: Number(r.id), at: r.at, scimUserId: r.scim_user_id, email: r.email, projectId: r.project_id, action: r.action, fromRole: r.from_role, toRole: r.to_role, rule: r.rule, outcome: r.outcome, detail: r.detail, durationMs: r.duration_ms })

const UPSERT_KNOWN = `INSERT INTO known_members (project_id, email_lc, sinch_user_id, role, status, scim_user_id, origin, seen_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
  ON CONFLICT (project_id, email_lc) DO UPDATE SET sinch_user_id = EXCLUDED.sinch_user_id, role = EXCLUDED.role, status = EXCLUDED.status,
    scim_user_id = EXCLUDED.scim_user_id, origin = EXCLUDED.origin, seen_at = EXCLUDED.seen_at`
/** A reconcile's write: never newer than what an operation recorded after the listing began, and never un-manages a member. */
const MERGE_LISTED = `INSERT INTO known_members (project_id, email_lc, sinch_user_id, role, status, scim_user_id, origin, seen_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
  ON CONFLICT (project_id, email_lc) DO UPDATE SET sinch_user_id = EXCLUDED.sinch_user_id, role = EXCLUDED.role, status = EXCLUDED.status,
    scim_user_id = COALESCE(EXCLUDED.scim_user_id, known_members.scim_user_id), origin = COALESCE(EXCLUDED.origin, known_members.origin), seen_at = EXCLUDED.seen_at
  WHERE known_members.seen_at <= EXCLUDED.seen_at`

function filters (f: Record<string, string | undefined>, columns: Record<string, string>): { sql: string, params: unknown[] } {
  const conds: string[] = []
  const params: unknown[] = []
  for (const [k, col] of Object.entries(columns)) {
    const v = f[k]
    if (v === undefined) continue
    params.push(col === 'email_lc' || col === 'email' ? addressKey(v) : v)
    conds.push(col === 'at' ? `at >= $${params.length}` : `${col} = $${params.length}`)
  }
  return { sql: conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : '', params }
}

/** Claimable at `now` (a parameter): never claimed, its lease ran out, or its owner's heartbeat expired. */
const free = (now: string): string => `(claimed_until IS NULL OR claimed_until < ${now}
  OR EXISTS (SELECT 1 FROM queue_owners o WHERE o.owner = provision_queue.claimed_by AND o.expires_at < ${now}))`
/** Rows of owners dead this long hold no live claim (a lease is at most an hour) and can go. */
const FORGET_OWNER_MS = 2 * 3_600_000

/** The provisioning half on PostgreSQL: claims with FOR UPDATE SKIP LOCKED plus expiring leases. */
export function createPostgresProvisioningStore (pool: pg.Pool): ProvisioningStore {
  const upsertKnown = async (ms: KnownMember[], sql = UPSERT_KNOWN): Promise<void> => {
    if (ms.length === 0) return
    const col = <K extends keyof KnownMember>(k: K): unknown[] => ms.map((m) => m[k])
    await pool.query(sql, [col('projectId'), ms.map((m) => addressKey(m.email)), col('sinchUserId'), col('role'), col('status'), col('scimUserId'), col('origin'), col('seenAt')])
  }
  return {
    enqueue: async (ids, dueAt) => { if (ids.length > 0) await pool.query(PG_ENQUEUE, [[...new Set(ids)], dueAt ?? new Date().toISOString()]) },
    claimDue: async (now, limit, owner, leaseMs) => {
      const until = new Date(Date.parse(now) + leaseMs).toISOString()
      // Two replicas claiming at once skip each other's locked rows: no user is claimed twice.
      const r = await pool.query<QueueEntry & { generation: string }>(`UPDATE provision_queue q SET claimed_by = $1, claimed_until = $2
        FROM (SELECT user_id FROM provision_queue WHERE due_at <= $3 AND ${free('$3')} ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED) due
        WHERE q.user_id = due.user_id
        RETURNING q.user_id AS "userId", q.generation, q.attempts, q.due_at AS "dueAt", q.last_error AS "lastError", q.enqueued_at AS "enqueuedAt"`, [owner, until, now, limit])
      return r.rows.map((e) => ({ ...e, generation: Number(e.generation) })).sort((a, b) => a.dueAt.localeCompare(b.dueAt))
    },
    claimUser: async (userId, now, owner, leaseMs) => {
      const until = new Date(Date.parse(now) + leaseMs).toISOString()
      const r = await pool.query<QueueEntry & { generation: string }>(`UPDATE provision_queue SET claimed_by = $1, claimed_until = $2
        WHERE user_id = $3 AND ${free('$4')}
        RETURNING user_id AS "userId", generation, attempts, due_at AS "dueAt", last_error AS "lastError", enqueued_at AS "enqueuedAt"`, [owner, until, userId, now])
      const e = r.rows[0]
      if (e !== undefined) return { ...e, generation: Number(e.generation) }
      const queued = await pool.query('SELECT 1 FROM provision_queue WHERE user_id = $1', [userId])
      return (queued.rowCount ?? 0) > 0 ? 'claimed' : null
    },
    complete: async (userId, generation) => {
      await inTransaction(pool, async (c) => {
        const gone = await c.query('DELETE FROM provision_queue WHERE user_id = $1 AND generation = $2', [userId, generation])
        if ((gone.rowCount ?? 0) === 0) await c.query('UPDATE provision_queue SET claimed_by = NULL, claimed_until = NULL WHERE user_id = $1', [userId])
      })
    },
    retryLater: async (userId, dueAt, error) => {
      await pool.query('UPDATE provision_queue SET due_at = $2, attempts = attempts + 1, last_error = $3, claimed_by = NULL, claimed_until = NULL WHERE user_id = $1', [userId, dueAt, error.slice(0, 1000)])
    },
    heartbeat: async (owner, b) => {
      const at = Date.parse(b.now)
      await pool.query(`INSERT INTO queue_owners (owner, started_at, heartbeat_at, expires_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (owner) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at`, [owner, b.startedAt, b.now, new Date(at + b.ttlMs).toISOString()])
      await pool.query('DELETE FROM queue_owners WHERE expires_at < $1', [new Date(at - FORGET_OWNER_MS).toISOString()])
      if (b.userIds.length === 0) return []
      const r = await pool.query<{ user_id: string }>('UPDATE provision_queue SET claimed_until = $1 WHERE claimed_by = $2 AND user_id = ANY($3::text[]) RETURNING user_id',
        [new Date(at + b.leaseMs).toISOString(), owner, b.userIds])
      return r.rows.map((row) => row.user_id)
    },
    holdsClaim: async (userId, owner, now) => {
      const r = await pool.query(`SELECT 1 FROM provision_queue q WHERE q.user_id = $1 AND q.claimed_by = $2 AND q.claimed_until >= $3
        AND NOT EXISTS (SELECT 1 FROM queue_owners o WHERE o.owner = q.claimed_by AND o.expires_at < $3)`, [userId, owner, now])
      return (r.rowCount ?? 0) > 0
    },
    releaseOwner: async (owner) => {
      await inTransaction(pool, async (c) => {
        await c.query('UPDATE provision_queue SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1', [owner])
        await c.query('DELETE FROM queue_owners WHERE owner = $1', [owner])
      })
    },
    queueDepth: async () => {
      const r = (await pool.query<{ depth: string, oldest: string | null }>('SELECT count(*) AS depth, min(enqueued_at) AS oldest FROM provision_queue')).rows[0]
      return { depth: Number(r?.depth ?? 0), oldestEnqueuedAt: r?.oldest ?? null }
    },
    listQueue: async (f) => {
      const cols = 'user_id AS "userId", generation, attempts, due_at AS "dueAt", last_error AS "lastError", enqueued_at AS "enqueuedAt"'
      const rows = f.userIds === undefined
        ? (await pool.query<QueueEntry>(`SELECT ${cols} FROM provision_queue ORDER BY enqueued_at, user_id LIMIT $1`, [f.limit])).rows
        : (await pool.query<QueueEntry>(`SELECT ${cols} FROM provision_queue WHERE user_id = ANY($1::text[]) ORDER BY enqueued_at, user_id LIMIT $2`, [f.userIds, f.limit])).rows
      return rows.map((r) => ({ ...r, generation: Number(r.generation), attempts: Number(r.attempts) }))
    },
    upsertKnownMember: async (m) => { await upsertKnown([m]) },
    upsertKnownMembers: async (ms) => { for (let i = 0; i < ms.length; i += 1000) await upsertKnown(ms.slice(i, i + 1000), MERGE_LISTED) },
    deleteKnownMember: async (projectId, email, seenBefore) => {
      await pool.query('DELETE FROM known_members WHERE project_id = $1 AND email_lc = $2 AND ($3::text IS NULL OR seen_at < $3)', [projectId, addressKey(email), seenBefore ?? null])
    },
    listKnownMembers: async (f = {}) => {
      const w = filters(f, { projectId: 'project_id', scimUserId: 'scim_user_id', email: 'email_lc' })
      return (await pool.query<KnownRow>(`SELECT * FROM known_members${w.sql} ORDER BY project_id, email_lc`, w.params)).rows.map(toKnown)
    },
    knownMembersIn: async (projectId, emails) =>
      (await pool.query<KnownRow>('SELECT * FROM known_members WHERE project_id = $1 AND email_lc = ANY($2::text[])', [projectId, emails.map(addressKey)])).rows.map(toKnown),
    managedMembers: async (projectId, o) => {
      const needle = addressKey(o.emailContains ?? '')
      const [count, page] = await Promise.all([
        pool.query<{ n: string }>('SELECT count(*) AS n FROM known_members WHERE project_id = $1 AND scim_user_id IS NOT NULL AND strpos(email_lc, $2) > 0', [projectId, needle]),
        pool.query<KnownRow>('SELECT * FROM known_members WHERE project_id = $1 AND scim_user_id IS NOT NULL AND strpos(email_lc, $2) > 0 ORDER BY email_lc LIMIT $3', [projectId, needle, o.limit])
      ])
      return { total: Number(count.rows[0]?.n ?? 0), members: page.rows.map(toKnown) }
    },
    knownEmailsOf: async (projectId) =>
      (await pool.query<{ email: string, scimUserId: string | null, seenAt: string }>('SELECT email_lc AS email, scim_user_id AS "scimUserId", seen_at AS "seenAt" FROM known_members WHERE project_id = $1', [projectId])).rows,
    setOpState: async (op) => {
      await pool.query(`INSERT INTO op_states (user_id, project_id, state, last_error, attempts, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (user_id, project_id) DO UPDATE SET state = EXCLUDED.state, last_error = EXCLUDED.last_error,
          attempts = CASE WHEN EXCLUDED.state = 'done' THEN 0 ELSE op_states.attempts + EXCLUDED.attempts END, updated_at = EXCLUDED.updated_at`,
      [op.userId, op.projectId, op.state, op.lastError, op.attempts, op.updatedAt])
    },
    listOpStates: async (f = {}) => {
      const w = filters({ userId: f.userId, state: f.state }, { userId: 'user_id', state: 'state' })
      return (await pool.query(`SELECT user_id AS "userId", project_id AS "projectId", state, last_error AS "lastError", attempts, updated_at AS "updatedAt" FROM op_states${w.sql} ORDER BY updated_at DESC LIMIT $${w.params.length + 1}`, [...w.params, f.limit ?? 1000])).rows
    },
    failedUserIds: async () => (await pool.query<{ user_id: string }>("SELECT DISTINCT user_id FROM op_states WHERE state = 'failed'")).rows.map((r) => r.user_id),
    opStateCounts: async () => {
      const r = (await pool.query<{ pending: string, failed: string }>("SELECT count(*) FILTER (WHERE state = 'pending') AS pending, count(*) FILTER (WHERE state = 'failed') AS failed FROM op_states WHERE state <> 'done'")).rows[0]
      return { pending: Number(r?.pending ?? 0), failed: Number(r?.failed ?? 0) }
    },
    sinchViewOf: async (userIds) => {
      const [members, ops] = await Promise.all([
        pool.query<KnownRow>('SELECT * FROM known_members WHERE scim_user_id = ANY($1::text[]) ORDER BY project_id, email_lc', [userIds]),
        pool.query<OpState>(`SELECT user_id AS "userId", project_id AS "projectId", state, last_error AS "lastError", attempts, updated_at AS "updatedAt"
          FROM op_states WHERE user_id = ANY($1::text[]) AND state <> 'done'`, [userIds])
      ])
      return { members: members.rows.map(toKnown), ops: ops.rows }
    },
    appendAudit: async (e) => {
      await pool.query('INSERT INTO audit (at, scim_user_id, email, project_id, action, from_role, to_role, rule, outcome, detail, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
        [e.at, e.scimUserId, addressKey(e.email), e.projectId, e.action, e.fromRole, e.toRole, e.rule, e.outcome, e.detail, e.durationMs])
    },
    listAudit: async (f) => {
      const w = filters({ scimUserId: f.scimUserId, projectId: f.projectId, email: f.email, action: f.action, since: f.since }, { scimUserId: 'scim_user_id', projectId: 'project_id', email: 'email', action: 'action', since: 'at' })
      return (await pool.query<AuditRow>(`SELECT * FROM audit${w.sql} ORDER BY id DESC LIMIT ${Number(f.limit)}`, w.params)).rows.map(toAudit)
    },
    pruneAudit: async (before) => (await pool.query('DELETE FROM audit WHERE at < $1', [before])).rowCount ?? 0,
    tryLease: async (name, owner, ttlMs, now) => {
      const r = await pool.query(`INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, $3)
        ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at WHERE leases.owner = EXCLUDED.owner OR leases.expires_at < $4
        RETURNING owner`, [name, owner, new Date(Date.parse(now) + ttlMs).toISOString(), now])
      return r.rows[0]?.owner === owner
    },
    releaseLease: async (name, owner) => { await pool.query('DELETE FROM leases WHERE name = $1 AND owner = $2', [name, owner]) },
    getSetting: async (key) => (await pool.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])).rows[0]?.value ?? null,
    setSetting: async (key, value) => { await pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]) }
  }
}
