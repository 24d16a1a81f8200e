import type { Logger } from 'pino'
import type { ProvisioningStore, SubjectReader } from '../store/types.js'
import type { AuditEntry } from '../domain/audit.js'
import type { KnownMember } from '../domain/members.js'
import type { OpState } from '../domain/op-states.js'
import type { PermanentRejection } from './hook.js'
import { addressKey } from '../store/address-key.js'
import { applyOp, type Applied } from './apply-op.js'
import { isParked, opSignature, PARK_AFTER, parkedDetail, stallDetail, stallsSoFar } from './no-progress.js'
import { ClaimLostError } from './claim-lost-error.js'
import { eachBounded } from './each-bounded.js'
import { planUser, type Op, type Plan, type PlanNote } from './plan.js'
import { classify, describeError, type SinchPort } from './ports.js'
import { desiredAccess, type RulesConfig } from './rules.js'

export interface ExecutorDeps {
  store: ProvisioningStore & SubjectReader
  sinch: SinchPort
  rules: RulesConfig
  logger: Logger
  now?: () => Date
  onOp?: (e: { action: string, outcome: 'ok' | 'failed' | 'transient' }) => void
  /** At most this many projects' Sinch calls at once for one user (default 4); 1 runs them one after the other. */
  projectsAtOnce?: number
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

/** Projects whose Sinch calls one user's run makes side by side (each project keeps its own order). */
const PROJECTS_AT_ONCE = 4

/** A wave's ops per project, each project's in plan order (Map.groupBy needs Node 21). */
function byProjectOf (wave: Op[]): Op[][] {
  const groups = new Map<string, Op[]>()
  for (const op of wave) groups.set(op.projectId, [...(groups.get(op.projectId) ?? []), op])
  return [...groups.values()]
}

/** What one runUser call has learnt so far, shared by the projects it runs side by side. */
interface RunState {
  userId: string
  options: RunOptions
  rejections: PermanentRejection[]
  /** Projects this run is done with (failed, parked, stalled or not tried): never recorded done. */
  failedProjects: Set<string>
  /** Addresses this run removed: other users waiting for them are woken. */
  freed: Set<string>
  previous: Map<string, OpState>
  /** Ops Sinch accepted in this run: planned again, they made no progress. */
  applied: Set<string>
  stalled: string | null
  transient: string | null
}

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
  const projectsAtOnce = deps.projectsAtOnce ?? PROJECTS_AT_ONCE

  async function planFor (userId: string): Promise<Plan & { deleted: boolean } | null> {
    const subject = await deps.store.getSubject(userId)
    if (subject === null) return null
    const desired = desiredAccess(subject, deps.rules)
    const managed = await deps.store.listKnownMembers({ scimUserId: userId })
    const byEmail = new Map<string, KnownMember>()
    if (desired.email !== null) {
      for (const m of await deps.store.listKnownMembers({ email: desired.email })) byEmail.set(m.projectId, m)
    }
    const plan = planUser({ userId, desired, managed, byEmail, allowOwner: deps.rules.allowOwner, adoptExisting: deps.rules.adoptExisting, deactivated: !subject.active && !subject.deleted })
    return { ...plan, deleted: subject.deleted }
  }

  /** `held`: an adoption records the role the member had before the bridge took it over. */
  async function audit (userId: string, op: Op, action: AuditEntry['action'], outcome: AuditEntry['outcome'], detail: string | null, started: number, held: Applied['held'] = null): Promise<void> {
    deps.onOp?.({ action, outcome })
    await deps.store.appendAudit({
      at: now().toISOString(),
      scimUserId: userId,
      email: op.email,
      projectId: op.projectId,
      action,
      fromRole: held?.role ?? (op.kind === 'role' ? op.from : null),
      toRole: op.kind === 'role' ? op.to : op.kind === 'invite' ? op.role : null,
      rule: op.rule,
      outcome,
      detail: held?.detail ?? detail,
      durationMs: Date.now() - started
    })
  }

  /**
   * The same change planned again after Sinch accepted it in this run: Sinch and the bridge
   * disagree about what it holds (an address Sinch keeps in another spelling never matches), and
   * applying it again would loop. The run stops for that project; after PARK_AFTER such runs in a
   * row the change is parked as a failed change, logged once, and no longer sent to Sinch.
   * Returns the retry reason, or null once parked.
   */
  async function noProgress (userId: string, op: Op, before: OpState | undefined): Promise<string | null> {
    const run = stallsSoFar(op, before) + 1
    const at = now().toISOString()
    if (run < PARK_AFTER) {
      const detail = stallDetail(op, run)
      log.info({ userId, projectId: op.projectId, op: op.kind, run }, 'sinch change made no progress; will retry')
      await deps.store.setOpState({ userId, projectId: op.projectId, state: 'pending', lastError: detail, attempts: 1, updatedAt: at })
      return detail
    }
    const detail = parkedDetail(op)
    log.warn({ userId, projectId: op.projectId, op: op.kind }, detail)
    await audit(userId, op, op.kind, 'failed', detail, Date.now())
    await deps.store.setOpState({ userId, projectId: op.projectId, state: 'failed', lastError: detail, attempts: 1, updatedAt: at })
    return null
  }

  async function runUser (userId: string, options: RunOptions = {}): Promise<UserOutcome> {
    const run: RunState = {
      userId,
      options,
      rejections: [],
      failedProjects: new Set(),
      freed: new Set(),
      previous: new Map((await deps.store.listOpStates({ userId })).map((o) => [o.projectId, o])),
      applied: new Set(),
      stalled: null,
      transient: null
    }
    let notes: PlanNote[] = []
    let converged = false
    for (let round = 0; round < MAX_ROUNDS && !converged; round++) {
      const plan = await planFor(userId)
      if (plan === null) return { status: 'done', rejections: run.rejections, notes, error: null }
      notes = plan.notes
      const waves = plan.waves.map((w) => w.filter((o) => !run.failedProjects.has(o.projectId))).filter((w) => w.length > 0)
      if (run.transient !== null) break
      if (waves.length === 0) {
        if (plan.deleted && plan.ops.length === 0) await deps.store.purgeDeletedUser(userId)
        converged = true
        break
      }
      await runWaves(run, waves)
      if (halted(run)) break
    }
    await recordNotes(userId, notes, run.failedProjects, run.previous)
    await recordDone(userId, run.failedProjects, run.previous)
    await wakeWaiting(userId, run.freed)
    const transient = run.transient ?? run.stalled ?? (!converged && run.rejections.length === 0 ? 'plan did not converge; will re-plan' : null)
    const { rejections } = run
    if (transient !== null) return { status: 'retry', rejections, notes, error: transient }
    return { status: rejections.length > 0 ? 'rejected' : 'done', rejections, notes, error: rejections[0]?.detail ?? null }
  }

  /** With stopOnRejection, the first refusal ends the run: the caller undoes the write. */
  const halted = (run: RunState): boolean => run.rejections.length > 0 && run.options.stopOnRejection === true

  /**
   * One round's waves, one after the other; in a wave, projects side by side (at most
   * projectsAtOnce), each project's ops in order. After a halt nothing more starts: an op not tried
   * is not done, so its project is not recorded done and the caller's undo re-plans it.
   */
  async function runWaves (run: RunState, waves: Op[][]): Promise<void> {
    for (const [i, wave] of waves.entries()) {
      const byProject = byProjectOf(wave)
      const untried = await eachBounded(byProject, projectsAtOnce, async (ops) => { await runProject(run, ops) }, () => halted(run))
      if (!halted(run)) continue
      for (const ops of [...untried, ...waves.slice(i + 1)]) for (const o of ops) run.failedProjects.add(o.projectId)
      return
    }
  }

  async function runProject (run: RunState, ops: Op[]): Promise<void> {
    for (const op of ops) {
      if (run.failedProjects.has(op.projectId)) return
      if (halted(run)) { run.failedProjects.add(op.projectId); return }
      await runOp(run, op)
    }
  }

  async function runOp (run: RunState, op: Op): Promise<void> {
    const { userId, options } = run
    const before = run.previous.get(op.projectId)
    const signature = opSignature(op)
    if (isParked(op, before) || run.applied.has(signature)) {
      run.failedProjects.add(op.projectId)
      if (!isParked(op, before)) run.stalled = await noProgress(userId, op, before) ?? run.stalled
      return
    }
    if (options.stillHolds !== undefined && !await options.stillHolds()) throw new ClaimLostError(userId)
    const started = Date.now()
    try {
      const { action, held } = await applyOp({ userId, sinch: deps.sinch, store: deps.store, now, adoptExisting: deps.rules.adoptExisting }, op)
      run.applied.add(signature)
      if (action !== 'gone' && action !== 'left-alone') await audit(userId, op, action, 'ok', null, started, held)
      if (action === 'remove') run.freed.add(addressKey(op.email))
      if (action === 'adopt') log.info({ userId, projectId: op.projectId, heldRole: held?.role }, 'existing sinch member adopted')
      log.info({ userId, projectId: op.projectId, op: op.kind, action }, 'sinch change applied')
    } catch (err) {
      await failed(run, op, err, started)
    }
  }

  async function failed (run: RunState, op: Op, err: unknown, started: number): Promise<void> {
    const { userId } = run
    const kind = classify(err)
    const detail = describeError(err)
    if (kind === 'not_found') {
      // Removed in Sinch behind our back: forget it and let the next round re-plan.
      await deps.store.deleteKnownMember(op.projectId, op.email)
      return
    }
    run.failedProjects.add(op.projectId)
    await audit(userId, op, op.kind, kind === 'permanent' ? 'failed' : 'transient', detail, started)
    await deps.store.setOpState({ userId, projectId: op.projectId, state: kind === 'permanent' ? 'failed' : 'pending', lastError: detail, attempts: 1, updatedAt: now().toISOString() })
    log.warn({ userId, projectId: op.projectId, op: op.kind, kind, err: detail }, 'sinch change failed')
    if (kind === 'permanent') run.rejections.push({ userId, projectId: op.projectId, detail })
    else run.transient = detail
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
    // Only write what changed: a steady-state re-plan must not cost a commit per project. The
    // projects' states are written side by side, so they share one commit (and one sync) instead
    // of each waiting for the one before: every sequential durable write lengthens the IdP's wait.
    const changed = deps.rules.managedProjects.filter((projectId) => !failed.has(projectId) && previous.get(projectId)?.state !== 'done')
    await Promise.all(changed.map(async (projectId) => { await deps.store.setOpState({ userId, projectId, state: 'done', lastError: null, attempts: 0, updatedAt: at }) }))
  }

  return { runUser }
}
