import type { Logger } from 'pino'
import type { AuditEntry, KnownMember, OpState, ProvisioningStore, SubjectReader } from '../store/types.js'
import type { PermanentRejection } from './hook.js'
import { applyOp } from './apply-op.js'
import { ClaimLostError } from './claim-lost-error.js'
import { planUser, type Op, type PlanNote } from './plan.js'
import { classify, describeError, type SinchPort } from './ports.js'
import { desiredAccess, type RulesConfig } from './rules.js'

export interface ExecutorDeps {
  store: ProvisioningStore & SubjectReader
  sinch: SinchPort
  rules: RulesConfig
  logger: Logger
  now?: () => Date
  onOp?: (e: { action: string, outcome: 'ok' | 'failed' | 'transient' }) => void
}

export interface UserOutcome {
  /** done: Sinch matches; retry: a transient failure, try later; rejected: Sinch said no for good. */
  status: 'done' | 'retry' | 'rejected'
  rejections: PermanentRejection[]
  notes: PlanNote[]
  error: string | null
}

/** Re-plan after each round: an invite that adopted a member may still need its role fixed. */
const MAX_ROUNDS = 4

export interface RunOptions {
  /** Stop at the first permanent rejection: the caller undoes the write, so more changes would be undone too. */
  stopOnRejection?: boolean
  /**
   * Asked before each Sinch write: false when this process no longer holds the user's queue claim
   * (another took it over), and the run ends with ClaimLostError before sending anything more.
   */
  stillHolds?: () => Promise<boolean>
}

export interface Executor {
  runUser (userId: string, options?: RunOptions): Promise<UserOutcome>
}

export function createExecutor (deps: ExecutorDeps): Executor {
  const now = deps.now ?? (() => new Date())
  const log = deps.logger.child({ component: 'provisioning' })

  async function planFor (userId: string): Promise<{ ops: Op[], notes: PlanNote[], deleted: boolean } | null> {
    const subject = await deps.store.getSubject(userId)
    if (subject === null) return null
    const desired = desiredAccess(subject, deps.rules)
    const managed = await deps.store.listKnownMembers({ scimUserId: userId })
    const byEmail = new Map<string, KnownMember>()
    if (desired.email !== null) {
      for (const m of await deps.store.listKnownMembers({ email: desired.email })) byEmail.set(m.projectId, m)
    }
    const plan = planUser({ userId, desired, managed, byEmail, allowOwner: deps.rules.allowOwner })
    return { ...plan, deleted: subject.deleted }
  }

  async function audit (userId: string, op: Op, action: AuditEntry['action'], outcome: AuditEntry['outcome'], detail: string | null, started: number): Promise<void> {
    deps.onOp?.({ action, outcome })
    await deps.store.appendAudit({
      at: now().toISOString(),
      scimUserId: userId,
      email: op.email,
      projectId: op.projectId,
      action,
      fromRole: op.kind === 'role' ? op.from : null,
      toRole: op.kind === 'role' ? op.to : op.kind === 'invite' ? op.role : null,
      rule: op.rule,
      outcome,
      detail,
      durationMs: Date.now() - started
    })
  }

  async function runUser (userId: string, options: RunOptions = {}): Promise<UserOutcome> {
    const rejections: PermanentRejection[] = []
    const failedProjects = new Set<string>()
    const freed = new Set<string>()
    let transient: string | null = null
    let notes: PlanNote[] = []
    let converged = false
    for (let round = 0; round < MAX_ROUNDS && !converged; round++) {
      const plan = await planFor(userId)
      if (plan === null) return { status: 'done', rejections, notes, error: null }
      notes = plan.notes
      const ops = plan.ops.filter((o) => !failedProjects.has(o.projectId))
      if (transient !== null) break
      if (ops.length === 0) {
        if (plan.deleted && plan.ops.length === 0) await deps.store.purgeDeletedUser(userId)
        converged = true
        break
      }
      for (const [i, op] of ops.entries()) {
        if (failedProjects.has(op.projectId)) continue
        if (options.stillHolds !== undefined && !await options.stillHolds()) throw new ClaimLostError(userId)
        const started = Date.now()
        try {
          const action = await applyOp({ userId, sinch: deps.sinch, store: deps.store, now }, op)
          if (action !== 'gone') await audit(userId, op, action, 'ok', null, started)
          if (action === 'remove') freed.add(op.email.toLowerCase())
          log.info({ userId, projectId: op.projectId, op: op.kind, action }, 'sinch change applied')
        } catch (err) {
          const kind = classify(err)
          const detail = describeError(err)
          if (kind === 'not_found') {
            // Removed in Sinch behind our back: forget it and let the next round re-plan.
            await deps.store.deleteKnownMember(op.projectId, op.email.toLowerCase())
            continue
          }
          failedProjects.add(op.projectId)
          await audit(userId, op, auditAction(op), kind === 'permanent' ? 'failed' : 'transient', detail, started)
          await deps.store.setOpState({ userId, projectId: op.projectId, state: kind === 'permanent' ? 'failed' : 'pending', lastError: detail, attempts: 1, updatedAt: now().toISOString() })
          log.warn({ userId, projectId: op.projectId, op: op.kind, kind, err: detail }, 'sinch change failed')
          if (kind === 'permanent') rejections.push({ userId, projectId: op.projectId, detail })
          else transient = detail
          if (kind === 'permanent' && options.stopOnRejection === true) {
            // Not tried, so not done: the caller's undo re-plans them.
            for (const rest of ops.slice(i + 1)) failedProjects.add(rest.projectId)
            break
          }
        }
      }
      if (rejections.length > 0 && options.stopOnRejection === true) break
    }
    const previous = new Map((await deps.store.listOpStates({ userId })).map((o) => [o.projectId, o]))
    await recordNotes(userId, notes, failedProjects, previous)
    await recordDone(userId, failedProjects, previous)
    await wakeWaiting(userId, freed)
    if (!converged && transient === null && rejections.length === 0) transient = 'plan did not converge; will re-plan'
    if (transient !== null) return { status: 'retry', rejections, notes, error: transient }
    return { status: rejections.length > 0 ? 'rejected' : 'done', rejections, notes, error: rejections[0]?.detail ?? null }
  }

  /**
   * What the plan will not do (an OWNER it may not touch, an address another user holds, no
   * address at all) leaves Sinch short of the desired state: a failed op with the reason, shown on
   * the status page and the user's Sinch extension, and looked at again by every reconcile.
   */
  async function recordNotes (userId: string, notes: PlanNote[], failed: Set<string>, previous: Map<string, OpState>): Promise<void> {
    for (const n of notes) {
      if (failed.has(n.projectId)) continue
      failed.add(n.projectId)
      const before = previous.get(n.projectId)
      if (before?.state === 'failed' && before.lastError === n.detail) continue
      log.warn({ userId, projectId: n.projectId, kind: n.kind }, n.detail)
      await deps.store.setOpState({ userId, projectId: n.projectId, state: 'failed', lastError: n.detail, attempts: 1, updatedAt: now().toISOString() })
    }
  }

  /**
   * Another SCIM user with the same address was left out while this one held the member
   * ("email-taken"); now that the address is free, plan them again.
   */
  async function wakeWaiting (userId: string, freed: Set<string>): Promise<void> {
    const waiting = new Set<string>()
    for (const email of freed) for (const id of await deps.store.userIdsWithAddress(email)) if (id !== userId) waiting.add(id)
    if (waiting.size > 0) await deps.store.enqueue([...waiting])
  }

  async function recordDone (userId: string, failed: Set<string>, previous: Map<string, OpState>): Promise<void> {
    const at = now().toISOString()
    // Only write what changed: a steady-state re-plan must not cost a commit per project.
    for (const projectId of deps.rules.managedProjects) {
      if (failed.has(projectId) || previous.get(projectId)?.state === 'done') continue
      await deps.store.setOpState({ userId, projectId, state: 'done', lastError: null, attempts: 0, updatedAt: at })
    }
  }

  return { runUser }
}

function auditAction (op: Op): AuditEntry['action'] {
  return op.kind
}
