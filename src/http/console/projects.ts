import { html, type Html } from './html.js'
import type { ConsoleDeps } from './deps.js'
import { BASE, personCell, table } from './layout.js'
import { nameOf, namesOf } from './names.js'

/** Rows per project: a project of 100,000 members is searched, not listed. */
export const MEMBERS_SHOWN = 200

/** The members the bridge manages in one project, by address, with the person each belongs to. */
export async function renderProject (deps: ConsoleDeps, projectId: string, q: string): Promise<Html | null> {
  if (!deps.managedProjects.includes(projectId)) return null
  const { total, members } = await deps.store.managedMembers(projectId, { emailContains: q.toLowerCase(), limit: MEMBERS_SHOWN })
  const users = members.map((m) => m.scimUserId ?? '')
  const [names, view] = await Promise.all([namesOf(deps.store, users), deps.store.sinchViewOf(users.filter((u) => u !== ''))])
  const opOf = new Map(view.ops.filter((o) => o.projectId === projectId).map((o) => [o.userId, o]))
  const rows = members.map((m) => {
    const op = m.scimUserId === null ? undefined : opOf.get(m.scimUserId)
    return [
      m.scimUserId === null ? html`<span class="muted">—</span>` : personCell(nameOf(names, m.scimUserId)),
      html`${m.email}`, html`${m.role}`, html`<span class="st-${m.status.toLowerCase()}">${m.status}</span>`, html`${m.origin ?? ''}`,
      html`${op?.lastError ?? ''}`
    ]
  })
  return html`<form class="search" method="get"><label>Filter by address <input name="q" value="${q}" type="search" maxlength="200"></label> <button type="submit">Filter</button></form>
<p id="member-count">${total} managed member(s)${q === '' ? '' : ' matching'}.</p>
${table(['Person', 'Address in Sinch', 'Role', 'Status', 'How', 'Pending error'], rows, q === '' ? 'No managed members yet.' : 'No managed member matches.', 'members')}
${total > members.length && html`<p class="muted">${total - members.length} more not shown; filter by address.</p>`}
<p><a href="${BASE}/reconcile">Drift in this project →</a></p>`
}
