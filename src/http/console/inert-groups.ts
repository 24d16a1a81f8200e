import { html, type Html } from './html.js'
import type { ConsoleDeps } from './deps.js'
import { table } from './layout.js'

/** Rows shown; the count above the table is the true one. */
export const INERT_SHOWN = 50

/**
 * Groups the mapping rules read as a grant that grants nothing (a project not managed, a role
 * that is none, OWNER without ALLOW_OWNER), from the directory as it is now — so the panel is
 * right after a restart and clears itself once the group or the settings are fixed. The SCIM
 * write of such a group succeeded (IdPs push every assigned group); this is where it shows.
 */
export async function inertGroupsPanel (deps: ConsoleDeps): Promise<Html | false> {
  const inert = (await deps.store.groupHeads())
    .map((g) => ({ ...g, reasons: deps.access.inertReasons(g) }))
    .filter((g) => g.reasons.length > 0)
  if (inert.length === 0) return false
  const rows = inert.slice(0, INERT_SHOWN).map((g) => [
    html`${g.displayName}<span class="id">${g.id}</span>`,
    html`${g.members}`,
    html`${g.reasons.join('; ')}`
  ])
  return html`<h2 id="inert-heading">Groups that grant nothing</h2>
<p class="alert warn" id="inert-count">${inert.length} group(s) the IdP pushed grant nothing in Sinch: their members get no access from them. Fix the group's name, the mapping file or the settings named below.</p>
${table(['Group', 'Members', 'Why it grants nothing'], rows, '', 'inert-groups')}
${inert.length > rows.length && html`<p class="muted">${inert.length - rows.length} more not shown.</p>`}`
}
