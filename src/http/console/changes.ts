import { html, type Html } from './html.js'
import type { ConsoleDeps, PageContext } from './deps.js'
import { ago, personCell, table } from './layout.js'
import { nameOf, namesOf } from './names.js'
import { retryForm } from './person.js'
import { waitingList } from './waiting.js'

/** Rows per list: a backlog of 100,000 is counted in full and shown in part. */
export const CHANGES_SHOWN = 200

/** Failed changes and the users waiting in the queue, with the person, the last error from Sinch and, for admins, "retry now". */
export async function renderChanges (deps: ConsoleDeps, ctx: PageContext): Promise<Html> {
  const [failed, waiting, counts] = await Promise.all([
    deps.store.listOpStates({ state: 'failed', limit: CHANGES_SHOWN }),
    waitingList(deps, CHANGES_SHOWN),
    deps.store.opStateCounts()
  ])
  const names = await namesOf(deps.store, failed.map((o) => o.userId))
  // One retry button per person: a retry re-plans the whole user, every project at once.
  const offered = new Set<string>()
  const failedRows = failed.map((o) => {
    const form = offered.has(o.userId) ? false : retryForm(ctx, o.userId)
    offered.add(o.userId)
    return [personCell(nameOf(names, o.userId)), html`${o.projectId}`, html`${o.attempts}`, html`${o.lastError ?? ''}`, ago(o.updatedAt), form === false ? '' : form]
  })
  return html`<p id="op-counts">${counts.failed} failed, ${waiting.depth} waiting.</p>
<h2>Failed changes</h2>
<p class="muted">Sinch refused these for good (or the bridge stopped trying); they are tried again at each reconcile${ctx.viewer.role === 'admin' ? ', or now with the button' : ''}.</p>
${table(['Person', 'Project', 'Attempts', 'Last error', 'Updated', ''], failedRows, 'No failed change.', 'failed')}
${counts.failed > failed.length && html`<p class="muted">${counts.failed - failed.length} older not shown.</p>`}
<h2 id="pending">Waiting in the queue</h2>
<p class="muted">People whose change has not reached Sinch yet (the queue the overview counts), oldest first: each is tried again at its retry time, with backoff while Sinch fails.</p>
${waiting.table}
${waiting.depth > waiting.shown && html`<p class="muted">${waiting.depth - waiting.shown} more waiting, not shown.</p>`}`
}
