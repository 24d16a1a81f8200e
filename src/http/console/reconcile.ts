import { z } from 'zod'
import { LAST_REPORT_KEY } from '../../reconciler/reconciler.js'
import { html, type Html } from './html.js'
import type { ConsoleDeps, PageContext } from './deps.js'
import { ago, BASE, personCell, table } from './layout.js'
import { nameOf, namesOf } from './names.js'

/** The last reconcile as stored (another replica may have run it): read leniently, a field at a time. */
const StoredReportSchema = z.object({
  finishedAt: z.string(),
  durationMs: z.number(),
  ok: z.boolean(),
  error: z.string().nullable().catch(null),
  queued: z.number().catch(0),
  projects: z.array(z.object({
    projectId: z.string(),
    members: z.number(),
    managed: z.number(),
    unmanagedCount: z.number(),
    unmanagedSample: z.array(z.string()).catch([]),
    changedByHand: z.number().catch(0)
  })).catch([])
})
export type StoredReport = z.infer<typeof StoredReportSchema>

export async function lastReconcile (deps: ConsoleDeps): Promise<StoredReport | null> {
  const mine = deps.reconciler.lastReport()
  const stored = await deps.store.getSetting(LAST_REPORT_KEY)
  let theirs: StoredReport | null = null
  try {
    const parsed = StoredReportSchema.safeParse(stored === null ? null : JSON.parse(stored))
    theirs = parsed.success ? parsed.data : null
  } catch {
    theirs = null
  }
  if (mine === null) return theirs
  return theirs !== null && theirs.finishedAt > mine.finishedAt ? theirs : mine
}

export function reconcileForm (ctx: PageContext): Html | false {
  const token = ctx.csrf()
  if (token === null) return false
  return html`<form class="inline" method="post" action="${BASE}/actions/reconcile"><input type="hidden" name="csrf" value="${token}"><button type="submit">Reconcile now</button></form>`
}

/** The last reconcile and the drift it found: members in managed projects the bridge does not manage. */
export async function renderReconcile (deps: ConsoleDeps, ctx: PageContext): Promise<Html> {
  const [last, adoptions] = await Promise.all([lastReconcile(deps), deps.store.listAudit({ action: 'adopt', limit: 50 })])
  const adopted = adoptions.filter((a) => a.outcome === 'ok')
  const names = await namesOf(deps.store, adopted.map((a) => a.scimUserId ?? ''))
  const drift = (last?.projects ?? []).map((p) => [
    html`<a href="${BASE}/projects/${encodeURIComponent(p.projectId)}">${p.projectId}</a>`,
    html`${p.members}`, html`${p.managed}`,
    html`<span class="${p.unmanagedCount > 0 ? 'warn' : ''}">${p.unmanagedCount}</span>`,
    html`${p.unmanagedSample.join(', ')}`,
    html`${p.changedByHand}`
  ])
  return html`<p id="last-reconcile">${last === null
    ? 'No reconcile has finished yet.'
    : html`Last reconcile ${ago(last.finishedAt)}: ${last.ok ? html`<span class="ok">ok</span>` : html`<span class="bad">failed: ${last.error ?? ''}</span>`} in ${last.durationMs} ms, ${last.queued} user(s) queued for a re-plan.`}</p>
${reconcileForm(ctx) || html`<p class="muted">Signed in with a SCIM token: "reconcile now" needs ADMIN_TOKEN.</p>`}
<h2>Drift (last reconcile)</h2>
<p class="muted">Members nobody provisioned through the bridge are reported here and never changed.</p>
${table(['Project', 'Members', 'Managed', 'Not managed', 'Examples (never changed)', 'Changed by hand'], drift, 'No reconcile report yet.', 'drift')}
<h2>Adopted members</h2>
<p class="muted">Members that existed in Sinch before the bridge took them over (ADOPT_EXISTING); refused adoptions are listed as <a href="${BASE}/changes#failed">failed changes</a>.</p>
${table(['Project', 'Address', 'Role held before', 'Person', 'When', 'Detail'], adopted.map((a) => [html`${a.projectId}`, html`${a.email}`, html`${a.fromRole ?? ''}`, a.scimUserId === null ? '' : personCell(nameOf(names, a.scimUserId)), ago(a.at), html`${a.detail ?? ''}`]), 'No member adopted.', 'adopted')}`
}
