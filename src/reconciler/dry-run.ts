import type { ProvisioningStore, SubjectReader } from '../store/types.js'
import type { KnownMember } from '../domain/members.js'
import type { SinchPort } from '../provisioning/ports.js'
import { addressKey } from '../store/address-key.js'
import { planUser, type Op, type PlanNote } from '../provisioning/plan.js'
import { desiredAccess, type RulesConfig } from '../provisioning/rules.js'

export interface DryRunResult {
  ops: Array<Op & { userId: string }>
  notes: Array<PlanNote & { userId: string }>
  unmanaged: Array<{ projectId: string, email: string, role: string }>
}

/**
 * The plan a reconcile would execute, against Sinch as listed now, with nothing written anywhere:
 * Sinch is only read and the store only queried.
 */
export async function dryRunReconcile (deps: { store: ProvisioningStore & SubjectReader, sinch: SinchPort, rules: RulesConfig }): Promise<DryRunResult> {
  const byEmail = new Map<string, Map<string, KnownMember>>()
  const byUser = new Map<string, KnownMember[]>()
  const result: DryRunResult = { ops: [], notes: [], unmanaged: [] }
  for (const projectId of deps.rules.managedProjects) {
    const stored = new Map((await deps.store.listKnownMembers({ projectId })).map((m) => [m.email, m]))
    for await (const m of deps.sinch.listMembers(projectId)) {
      const email = addressKey(m.email)
      const before = stored.get(email)
      const km: KnownMember = { projectId, email, sinchUserId: m.userId, role: m.role, status: m.status, scimUserId: before?.scimUserId ?? null, origin: before?.origin ?? null, seenAt: '' }
      if (!byEmail.has(email)) byEmail.set(email, new Map())
      byEmail.get(email)?.set(projectId, km)
      if (km.scimUserId === null) result.unmanaged.push({ projectId, email, role: m.role })
      else byUser.set(km.scimUserId, [...(byUser.get(km.scimUserId) ?? []), km])
    }
  }
  for (const userId of await deps.store.listSubjectIds()) {
    const subject = await deps.store.getSubject(userId)
    if (subject === null) continue
    const desired = desiredAccess(subject, deps.rules)
    const plan = planUser({
      userId,
      desired,
      managed: byUser.get(userId) ?? [],
      byEmail: desired.email === null ? new Map() : byEmail.get(desired.email) ?? new Map(),
      allowOwner: deps.rules.allowOwner,
      adoptExisting: deps.rules.adoptExisting,
      deactivated: !subject.active && !subject.deleted
    })
    result.ops.push(...plan.ops.map((o) => ({ ...o, userId })))
    result.notes.push(...plan.notes.map((n) => ({ ...n, userId })))
  }
  return result
}

export function formatDryRun (r: DryRunResult): string {
  const lines = [`${r.ops.length} change(s) would be made:`]
  for (const o of r.ops) {
    const what = o.kind === 'invite' ? `invite as ${o.role}` : o.kind === 'role' ? `change role ${o.from} -> ${o.to}` : o.kind
    lines.push(`  ${o.projectId}  ${o.email}  ${what}  (${o.rule})`)
  }
  if (r.notes.length > 0) {
    lines.push(`${r.notes.length} thing(s) left alone:`)
    for (const n of r.notes) lines.push(`  ${n.projectId}  ${n.email}  ${n.kind}: ${n.detail}`)
  }
  lines.push(`${r.unmanaged.length} member(s) not managed by the bridge (never changed)`)
  return lines.join('\n') + '\n'
}
