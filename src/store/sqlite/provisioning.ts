import type { OwnerBeat, ProvisioningStore, QueueEntry } from '../types.js'
import type { AuditEntry } from '../../domain/audit.js'
import type { KnownMember } from '../../domain/members.js'
import type { OpState } from '../../domain/op-states.js'
import { createStatementCache, type SqliteDatabase } from './database.js'
import { SQLITE_ENQUEUE } from './queue-sql.js'
import type { WriteBatcher } from './batch.js'
import { addressKey } from '../address-key.js'

interface KnownRow { project_id: string, email_lc: string, sinch_user_id: string | null, role: KnownMember['role'], status: KnownMember['status'], scim_user_id: string | null, origin: KnownMember['origin'], seen_at: string }
const toKnown = (r: KnownRow): KnownMember => ({ projectId: r.project_id, email: r.email_lc, sinchUserId: r.sinch_user_id, role: r.role, status: r.status, scimUserId: r.scim_user_id, origin: r.origin, seenAt: r.seen_at })

interface AuditRow { id: number, at: string, scim_user_id: string | null, email: string, project_id: string, action: AuditEntry['action'], from_role: AuditEntry['fromRole'], to_role: AuditEntry['toRole'], rule: string, outcome: AuditEntry['outcome'], detail: string | null, duration_ms: number }
const toAudit = (r: AuditRow): AuditEntry => ({ id: r.id, at: r.at, scimUserId: r.scim_user_id, email: r.email, projectId: r.project_id, action: r.action, fromRole: r.from_role, toRole: r.to_role, rule: r.rule, outcome: r.outcome, detail: r.detail, durationMs: r.duration_ms })

/** Known members are keyed by the one address normal form, whoever wrote them. */
const keyed = (m: KnownMember): KnownMember => ({ ...m, email: addressKey(m.email) })
/** Claimable: never claimed, its lease ran out, or its owner's heartbeat expired (the owner is dead). */
const FREE = `(claimed_until IS NULL OR claimed_until < @now
  OR EXISTS (SELECT 1 FROM queue_owners o WHERE o.owner = provision_queue.claimed_by AND o.expires_at < @now))`
/** Rows of owners dead this long hold no live claim (a lease is at most an hour) and can go. */
const FORGET_OWNER_MS = 2 * 3_600_000

export function createSqliteProvisioningStore (db: SqliteDatabase, write: WriteBatcher = async (fn) => fn()): ProvisioningStore {
  const st = {
    enqueue: db.prepare(SQLITE_ENQUEUE),
    knownIn: db.prepare('SELECT * FROM known_members WHERE project_id = ? AND email_lc IN (SELECT value FROM json_each(?))'),
    knownEmails: db.prepare('SELECT email_lc AS email, scim_user_id AS scimUserId, seen_at AS seenAt FROM known_members WHERE project_id = ?'),
    knownOfUsers: db.prepare('SELECT * FROM known_members WHERE scim_user_id IN (SELECT value FROM json_each(?)) ORDER BY project_id, email_lc'),
    openOpsOfUsers: db.prepare(`SELECT user_id AS userId, project_id AS projectId, state, last_error AS lastError, attempts, updated_at AS updatedAt
      FROM op_states WHERE user_id IN (SELECT value FROM json_each(?)) AND state <> 'done'`),
    due: db.prepare(`SELECT user_id AS userId, generation, attempts, due_at AS dueAt, last_error AS lastError, enqueued_at AS enqueuedAt FROM provision_queue
      WHERE due_at <= @now AND ${FREE} ORDER BY due_at LIMIT @limit`),
    claim: db.prepare('UPDATE provision_queue SET claimed_by = ?, claimed_until = ? WHERE user_id = ?'),
    claimOne: db.prepare(`UPDATE provision_queue SET claimed_by = @owner, claimed_until = @until WHERE user_id = @userId AND ${FREE}
      RETURNING user_id AS userId, generation, attempts, due_at AS dueAt, last_error AS lastError, enqueued_at AS enqueuedAt`),
    beatOwner: db.prepare(`INSERT INTO queue_owners (owner, started_at, heartbeat_at, expires_at) VALUES (@owner, @startedAt, @now, @expiresAt)
      ON CONFLICT (owner) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`),
    renew: db.prepare('UPDATE provision_queue SET claimed_until = ? WHERE claimed_by = ? AND user_id IN (SELECT value FROM json_each(?)) RETURNING user_id').pluck(),
    forgetOwners: db.prepare('DELETE FROM queue_owners WHERE expires_at < ?'),
    holds: db.prepare(`SELECT 1 FROM provision_queue q WHERE q.user_id = ? AND q.claimed_by = ? AND q.claimed_until >= ?
      AND NOT EXISTS (SELECT 1 FROM queue_owners o WHERE o.owner = q.claimed_by AND o.expires_at < ?)`).pluck(),
    unclaimOwner: db.prepare('UPDATE provision_queue SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?'),
    deleteOwner: db.prepare('DELETE FROM queue_owners WHERE owner = ?'),
    queued: db.prepare('SELECT 1 FROM provision_queue WHERE user_id = ?').pluck(),
    complete: db.prepare('DELETE FROM provision_queue WHERE user_id = ? AND generation = ?'),
    unclaim: db.prepare('UPDATE provision_queue SET claimed_by = NULL, claimed_until = NULL WHERE user_id = ?'),
    retry: db.prepare('UPDATE provision_queue SET due_at = ?, attempts = attempts + 1, last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE user_id = ?'),
    depth: db.prepare('SELECT count(*) AS depth, min(enqueued_at) AS oldest FROM provision_queue'),
    queuePage: db.prepare(`SELECT user_id AS userId, generation, attempts, due_at AS dueAt, last_error AS lastError, enqueued_at AS enqueuedAt FROM provision_queue
      ORDER BY enqueued_at, user_id LIMIT CAST(? AS INTEGER)`),
    queueOfUsers: db.prepare(`SELECT user_id AS userId, generation, attempts, due_at AS dueAt, last_error AS lastError, enqueued_at AS enqueuedAt FROM provision_queue
      WHERE user_id IN (SELECT value FROM json_each(?)) ORDER BY enqueued_at, user_id LIMIT CAST(? AS INTEGER)`),
    upsertKnown: db.prepare(`INSERT INTO known_members (project_id, email_lc, sinch_user_id, role, status, scim_user_id, origin, seen_at)
      VALUES (@projectId, @email, @sinchUserId, @role, @status, @scimUserId, @origin, @seenAt)
      ON CONFLICT (project_id, email_lc) DO UPDATE SET sinch_user_id = excluded.sinch_user_id, role = excluded.role, status = excluded.status,
        scim_user_id = excluded.scim_user_id, origin = excluded.origin, seen_at = excluded.seen_at`),
    // A reconcile's write: never newer than what an operation recorded after the listing began, and never un-manages a member.
    mergeListed: db.prepare(`INSERT INTO known_members (project_id, email_lc, sinch_user_id, role, status, scim_user_id, origin, seen_at)
      VALUES (@projectId, @email, @sinchUserId, @role, @status, @scimUserId, @origin, @seenAt)
      ON CONFLICT (project_id, email_lc) DO UPDATE SET sinch_user_id = excluded.sinch_user_id, role = excluded.role, status = excluded.status,
        scim_user_id = COALESCE(excluded.scim_user_id, known_members.scim_user_id), origin = COALESCE(excluded.origin, known_members.origin), seen_at = excluded.seen_at
      WHERE known_members.seen_at <= excluded.seen_at`),
    deleteKnown: db.prepare('DELETE FROM known_members WHERE project_id = ? AND email_lc = ? AND (? IS NULL OR seen_at < ?)'),
    setOp: db.prepare(`INSERT INTO op_states (user_id, project_id, state, last_error, attempts, updated_at) VALUES (@userId, @projectId, @state, @lastError, @attempts, @updatedAt)
      ON CONFLICT (user_id, project_id) DO UPDATE SET state = excluded.state, last_error = excluded.last_error,
        attempts = CASE WHEN excluded.state = 'done' THEN 0 ELSE op_states.attempts + excluded.attempts END, updated_at = excluded.updated_at`),
    audit: db.prepare(`INSERT INTO audit (at, scim_user_id, email, project_id, action, from_role, to_role, rule, outcome, detail, duration_ms)
      VALUES (@at, @scimUserId, @email, @projectId, @action, @fromRole, @toRole, @rule, @outcome, @detail, @durationMs)`),
    prune: db.prepare('DELETE FROM audit WHERE at < ?'),
    lease: db.prepare(`INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at WHERE leases.owner = excluded.owner OR leases.expires_at < ?`),
    leaseOwner: db.prepare('SELECT owner FROM leases WHERE name = ?').pluck(),
    release: db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?'),
    managedCount: db.prepare('SELECT count(*) FROM known_members WHERE project_id = ? AND scim_user_id IS NOT NULL AND instr(email_lc, ?) > 0').pluck(),
    managedPage: db.prepare('SELECT * FROM known_members WHERE project_id = ? AND scim_user_id IS NOT NULL AND instr(email_lc, ?) > 0 ORDER BY email_lc LIMIT CAST(? AS INTEGER)'),
    failedUsers: db.prepare("SELECT DISTINCT user_id FROM op_states WHERE state = 'failed'").pluck(),
    opCounts: db.prepare("SELECT count(*) FILTER (WHERE state = 'pending') AS pending, count(*) FILTER (WHERE state = 'failed') AS failed FROM op_states WHERE state <> 'done'"),
    getSetting: db.prepare('SELECT value FROM settings WHERE key = ?').pluck(),
    setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
  }

  // The listings below build their WHERE from the filters given: a few shapes, each prepared once
  // (preparing cost more than running them, ~5 % of a POST).
  const prepared = createStatementCache(db)

  // SQLite has one writer: select-then-claim inside one transaction cannot race another claimer.
  const claimDue = db.transaction((now: string, limit: number, owner: string, leaseMs: number): QueueEntry[] => {
    const rows = st.due.all({ now, limit }) as QueueEntry[]
    const until = new Date(Date.parse(now) + leaseMs).toISOString()
    for (const r of rows) st.claim.run(owner, until, r.userId)
    return rows
  })
  const complete = db.transaction((userId: string, generation: number) => {
    if (st.complete.run(userId, generation).changes === 0) st.unclaim.run(userId)
  })
  const heartbeat = db.transaction((owner: string, b: OwnerBeat): string[] => {
    const at = Date.parse(b.now)
    st.beatOwner.run({ owner, startedAt: b.startedAt, now: b.now, expiresAt: new Date(at + b.ttlMs).toISOString() })
    st.forgetOwners.run(new Date(at - FORGET_OWNER_MS).toISOString())
    return b.userIds.length === 0 ? [] : st.renew.all(new Date(at + b.leaseMs).toISOString(), owner, JSON.stringify(b.userIds)) as string[]
  })
  const releaseOwner = db.transaction((owner: string) => {
    st.unclaimOwner.run(owner)
    st.deleteOwner.run(owner)
  })
  const upsertMany = db.transaction((ms: KnownMember[]) => { for (const m of ms) st.mergeListed.run(keyed(m)) })
  const enqueueMany = db.transaction((ids: string[], at: string) => { for (const userId of ids) st.enqueue.run({ userId, now: at, dueAt: at }) })

  return {
    enqueue: async (ids, dueAt) => { await write(() => enqueueMany(ids, dueAt ?? new Date().toISOString())) },
    claimDue: async (now, limit, owner, leaseMs) => await write(() => claimDue(now, limit, owner, leaseMs)),
    claimUser: async (userId, now, owner, leaseMs) => await write(() => {
      const until = new Date(Date.parse(now) + leaseMs).toISOString()
      const entry = st.claimOne.get({ owner, until, userId, now }) as QueueEntry | undefined
      if (entry !== undefined) return entry
      return st.queued.get(userId) === undefined ? null : 'claimed' as const
    }),
    complete: async (userId, generation) => { await write(() => complete(userId, generation)) },
    retryLater: async (userId, dueAt, error) => { await write(() => st.retry.run(dueAt, error.slice(0, 1000), userId)) },
    heartbeat: async (owner, beat) => await write(() => heartbeat(owner, beat)),
    holdsClaim: async (userId, owner, now) => st.holds.get(userId, owner, now, now) !== undefined,
    releaseOwner: async (owner) => { await write(() => releaseOwner(owner)) },
    queueDepth: async () => {
      const r = st.depth.get() as { depth: number, oldest: string | null }
      return { depth: r.depth, oldestEnqueuedAt: r.oldest }
    },
    listQueue: async (f) => (f.userIds === undefined ? st.queuePage.all(f.limit) : st.queueOfUsers.all(JSON.stringify(f.userIds), f.limit)) as QueueEntry[],
    upsertKnownMember: async (m) => { await write(() => st.upsertKnown.run(keyed(m))) },
    upsertKnownMembers: async (ms) => { await write(() => upsertMany(ms)) },
    deleteKnownMember: async (projectId, email, seenBefore) => {
      const before = seenBefore ?? null
      await write(() => st.deleteKnown.run(projectId, addressKey(email), before, before))
    },
    listKnownMembers: async (f = {}) => {
      const conds: string[] = []
      const p: unknown[] = []
      if (f.projectId !== undefined) { conds.push('project_id = ?'); p.push(f.projectId) }
      if (f.scimUserId !== undefined) { conds.push('scim_user_id = ?'); p.push(f.scimUserId) }
      if (f.email !== undefined) { conds.push('email_lc = ?'); p.push(addressKey(f.email)) }
      const sql = `SELECT * FROM known_members${conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY project_id, email_lc`
      return (prepared(sql).all(...p) as KnownRow[]).map(toKnown)
    },
    knownMembersIn: async (projectId, emails) => (st.knownIn.all(projectId, JSON.stringify(emails.map(addressKey))) as KnownRow[]).map(toKnown),
    managedMembers: async (projectId, o) => {
      const needle = addressKey(o.emailContains ?? '')
      return {
        total: st.managedCount.get(projectId, needle) as number,
        members: (st.managedPage.all(projectId, needle, o.limit) as KnownRow[]).map(toKnown)
      }
    },
    knownEmailsOf: async (projectId) => st.knownEmails.all(projectId) as Array<{ email: string, scimUserId: string | null, seenAt: string }>,
    setOpState: async (op: OpState) => { await write(() => st.setOp.run(op)) },
    listOpStates: async (f = {}) => {
      const conds: string[] = []
      const p: unknown[] = []
      if (f.userId !== undefined) { conds.push('user_id = ?'); p.push(f.userId) }
      if (f.state !== undefined) { conds.push('state = ?'); p.push(f.state) }
      const rows = prepared(`SELECT user_id AS userId, project_id AS projectId, state, last_error AS lastError, attempts, updated_at AS updatedAt FROM op_states${conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY updated_at DESC LIMIT CAST(? AS INTEGER)`).all(...p, f.limit ?? 1000)
      return rows as OpState[]
    },
    failedUserIds: async () => st.failedUsers.all() as string[],
    opStateCounts: async () => st.opCounts.get() as { pending: number, failed: number },
    sinchViewOf: async (userIds) => {
      const ids = JSON.stringify(userIds)
      return {
        members: (st.knownOfUsers.all(ids) as KnownRow[]).map(toKnown),
        ops: st.openOpsOfUsers.all(ids) as OpState[]
      }
    },
    appendAudit: async (e) => { await write(() => st.audit.run({ ...e, email: addressKey(e.email) })) },
    listAudit: async (f) => {
      const conds: string[] = []
      const p: unknown[] = []
      if (f.scimUserId !== undefined) { conds.push('scim_user_id = ?'); p.push(f.scimUserId) }
      if (f.projectId !== undefined) { conds.push('project_id = ?'); p.push(f.projectId) }
      if (f.email !== undefined) { conds.push('email = ?'); p.push(addressKey(f.email)) }
      if (f.action !== undefined) { conds.push('action = ?'); p.push(f.action) }
      if (f.since !== undefined) { conds.push('at >= ?'); p.push(f.since) }
      const rows = prepared(`SELECT * FROM audit${conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`).all(...p, f.limit) as AuditRow[]
      return rows.map(toAudit)
    },
    pruneAudit: async (before) => await write(() => st.prune.run(before).changes),
    tryLease: async (name, owner, ttlMs, now) => await write(() => {
      st.lease.run(name, owner, new Date(Date.parse(now) + ttlMs).toISOString(), now)
      return st.leaseOwner.get(name) === owner
    }),
    releaseLease: async (name, owner) => { await write(() => st.release.run(name, owner)) },
    getSetting: async (key) => (st.getSetting.get(key) as string | undefined) ?? null,
    setSetting: async (key, value) => { await write(() => st.setSetting.run(key, value)) }
  }
}
