import { html, type Html } from './html.js'
import type { ConsoleDeps } from './deps.js'
import { ago, due, personCell, table } from './layout.js'
import { nameOf, namesOf } from './names.js'

/**
 * The queue as the console shows it: the users queueDepth counts, each with why it waits. Every
 * "waiting" number and list on the console comes from here, so they cannot disagree.
 */
export async function waitingList (deps: ConsoleDeps, limit: number, now = Date.now()): Promise<{ depth: number, oldest: string | null, shown: number, table: Html }> {
  const [depth, entries] = await Promise.all([deps.store.queueDepth(), deps.store.listQueue({ limit })])
  const ids = entries.map((e) => e.userId)
  const [names, view] = await Promise.all([namesOf(deps.store, ids), deps.store.sinchViewOf(ids)])
  const pendingIn = new Map<string, string[]>()
  for (const o of view.ops) if (o.state === 'pending') pendingIn.set(o.userId, [...(pendingIn.get(o.userId) ?? []), o.projectId])
  const rows = entries.map((e) => [
    personCell(nameOf(names, e.userId)),
    html`${(pendingIn.get(e.userId) ?? []).sort().join(', ')}`,
    due(e.dueAt, now),
    html`${e.attempts}`,
    e.lastError === null ? html`<span class="muted">${e.attempts === 0 ? 'not tried yet' : ''}</span>` : html`${e.lastError}`,
    ago(e.enqueuedAt, now)
  ])
  return {
    // Read side by side with the entries: a user queued in between may be listed but not yet
    // counted, and the number must never say fewer than the list shows.
    depth: Math.max(depth.depth, entries.length),
    oldest: depth.oldestEnqueuedAt,
    shown: entries.length,
    table: table(['Person', 'Projects pending', 'Retry', 'Attempts', 'Last error', 'Waiting since'], rows, 'Nobody is waiting: every change reached Sinch or failed for good.', 'waiting')
  }
}
