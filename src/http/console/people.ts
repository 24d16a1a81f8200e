import { html, href, type Html } from './html.js'
import type { ConsoleDeps } from './deps.js'
import { BASE, table } from './layout.js'
import { searchWhere } from './names.js'

export const PEOPLE_PER_PAGE = 50

/** The people list: everyone by userName, or those matching a search, a page at a time. */
export async function renderPeople (deps: ConsoleDeps, q: string, pageNo: number): Promise<Html> {
  const offset = (pageNo - 1) * PEOPLE_PER_PAGE
  const { total, records } = await deps.store.queryUsers({ where: q === '' ? null : searchWhere(q), sortBy: 'userName', descending: false, offset, limit: PEOPLE_PER_PAGE })
  const ids = records.map((u) => u.id)
  const [{ ops }, queued] = await Promise.all([deps.store.sinchViewOf(ids), deps.store.listQueue({ userIds: ids, limit: ids.length })])
  const failed = new Map<string, number>()
  for (const o of ops) if (o.state === 'failed') failed.set(o.userId, (failed.get(o.userId) ?? 0) + 1)
  // "waiting" means queued, as everywhere on the console (the overview's queue, the changes page).
  const waiting = new Set(queued.map((e) => e.userId))
  const rows = records.map((u) => {
    const f = failed.get(u.id) ?? 0
    return [
      html`<a href="${BASE}/people/${encodeURIComponent(u.id)}">${u.userName}</a><span class="id">${u.id}</span>`,
      u.displayName ?? '',
      u.emails.map((e) => e.value).join(', '),
      u.active ? html`<span class="ok">active</span>` : html`<span class="muted">deactivated</span>`,
      html`${f > 0 && html`<span class="bad">${f} failed</span> `}${waiting.has(u.id) && html`<span class="warn">waiting</span>`}`
    ]
  })
  const pages = Math.max(1, Math.ceil(total / PEOPLE_PER_PAGE))
  return html`${searchForm(q)}
<p id="people-count">${total} ${q === '' ? 'people' : 'matching'}${pages > 1 ? `, page ${pageNo} of ${pages}` : ''}.</p>
${table(['User name', 'Display name', 'Emails', 'IdP status', 'Changes'], rows, q === '' ? 'No one provisioned yet.' : 'No one matches.', 'people')}
${pageNo > 1 && html`<a href="${href(`${BASE}/people`, { q, page: String(pageNo - 1) })}">← previous</a> `}${pageNo < pages && html`<a href="${href(`${BASE}/people`, { q, page: String(pageNo + 1) })}">next →</a>`}`
}

export function searchForm (q: string): Html {
  return html`<form class="search" method="get" action="${BASE}/people"><label>Find a person (name, email or id) <input name="q" value="${q}" type="search" maxlength="200"></label> <button type="submit">Search</button></form>`
}
