import type { AuditEntry } from '../../domain/audit.js'
import { html, type Html } from './html.js'
import type { ConsoleDeps } from './deps.js'
import { ago, personCell, table } from './layout.js'
import { nameOf, namesOf, type PersonName } from './names.js'

const OUTCOME_CLASS: Record<AuditEntry['outcome'], string> = { ok: 'ok', failed: 'bad', transient: 'warn' }

function what (a: AuditEntry): string {
  if (a.action === 'retry') return 'retry now'
  if (a.action === 'reconcile') return 'reconcile now'
  return a.action + (a.toRole === null ? '' : ` → ${a.toRole}`)
}

/** Audit rows: the person by name when `showPerson`, the address Sinch was sent, what, why, outcome. */
export function auditTable (entries: AuditEntry[], names: Map<string, PersonName>, showPerson: boolean): Html {
  const rows = entries.map((a) => [
    ago(a.at),
    ...(showPerson ? [a.scimUserId === null ? html`<span class="muted">—</span>` : personCell(nameOf(names, a.scimUserId))] : []),
    html`${a.projectId}`,
    html`${a.email}`,
    html`${what(a)}`,
    html`<span class="${OUTCOME_CLASS[a.outcome]}">${a.outcome}</span>`,
    html`${a.rule}`,
    html`${a.detail ?? ''}`
  ])
  return table(['When', ...(showPerson ? ['Person'] : []), 'Project', 'Address', 'Change', 'Outcome', 'Rule or who', 'Detail'], rows, 'No changes recorded.', 'audit')
}

export async function renderActivity (deps: ConsoleDeps, limit = 200): Promise<Html> {
  const entries = await deps.store.listAudit({ limit })
  const names = await namesOf(deps.store, entries.map((a) => a.scimUserId ?? ''))
  return html`<p class="muted">The newest ${limit} changes the bridge made or tried, and the actions admins took here. <code>npx sinch-scim-bridge audit --help</code> reaches further back.</p>
${auditTable(entries, names, true)}`
}
