import type { Totals } from '../../observability/sampler.js'
import type { CircuitSnapshot } from '../../sinch/circuit.js'
import { html, type Html } from './html.js'
import type { ConsoleDeps } from './deps.js'
import { overviewCharts } from './charts.js'
import { auditTable } from './activity.js'
import { ago, BASE, personCell, table } from './layout.js'
import { nameOf, namesOf } from './names.js'
import { lastReconcile } from './reconcile.js'
import { inertGroupsPanel } from './inert-groups.js'
import { waitingList } from './waiting.js'

/** The setting the Sinch client stores the detected API style under. */
export const API_STYLE_SETTING = 'sinch.api_style'
const HOUR = 3_600_000
/** Queued users listed on the overview; the changes page lists up to CHANGES_SHOWN. */
export const WAITING_SHOWN = 20

function card (id: string, link: string, label: string, value: Html | string | number, sub: Html | string, tone: '' | 'ok' | 'warn' | 'bad' = ''): Html {
  return html`<a class="card" id="${id}" href="${link}"><div class="label">${label}</div><div class="value ${tone}">${value}</div><div class="sub">${sub}</div></a>`
}

const duration = (ms: number): string => (ms < 60_000 ? `${+(ms / 1000).toFixed(1)} s` : ms < 2 * HOUR ? `${Math.round(ms / 60_000)} min` : `${+(ms / HOUR).toFixed(1)} h`)
const pct = (n: number, of: number): string => (of === 0 ? '0 %' : `${((100 * n) / of).toFixed(n * 1000 < of ? 2 : 1)} %`)

/** What happened between the sample taken about an hour ago (or the first one, after a recent start) and now. */
export function lastHour (samples: Totals[], now: Totals): { since: number, sinch: Totals['sinch'], scim: Totals['scim'] } {
  const base = [...samples].reverse().find((s) => s.at <= now.at - HOUR) ?? samples[0] ?? { ...now, sinch: { ok: 0, rateLimited: 0, failed: 0 }, scim: { ok: 0, clientError: 0, serverError: 0 } }
  const d = (a: number, b: number): number => Math.max(0, a - b)
  return {
    since: samples[0] === undefined ? now.at : base.at,
    sinch: { ok: d(now.sinch.ok, base.sinch.ok), rateLimited: d(now.sinch.rateLimited, base.sinch.rateLimited), failed: d(now.sinch.failed, base.sinch.failed) },
    scim: { ok: d(now.scim.ok, base.scim.ok), clientError: d(now.scim.clientError, base.scim.clientError), serverError: d(now.scim.serverError, base.scim.serverError) }
  }
}

/**
 * Red while Sinch is failing continuously, amber while some recent calls fail; nothing when all
 * is well. The reason names the operation and the kind of failure, never Sinch's own text.
 */
export function circuitBanner (c: CircuitSnapshot | undefined, now: number): Html | false {
  if (c === undefined || c.state === 'closed') return false
  const last = c.lastFailure === null ? '' : html` Last failure ${ago(new Date(c.lastFailure.at).toISOString(), now)}: ${c.lastFailure.reason}.`
  if (c.state === 'open') {
    const since = new Date(c.failingSince ?? c.since ?? now).toISOString()
    return html`<p class="alert bad" id="sinch-circuit" role="alert"><strong>Sinch is failing:</strong> every call since ${ago(since, now)} failed (circuit open). SCIM changes are kept and queued; they reach Sinch once it answers again.${last}</p>`
  }
  return html`<p class="alert warn" id="sinch-circuit" role="status"><strong>Sinch is degraded:</strong> ${c.recentFailures} of the last ${c.window} calls failed (since ${ago(new Date(c.since ?? now).toISOString(), now)}); failed changes are retried.${last}</p>`
}

/** Is the bridge healthy, did my change reach Sinch: the answers at a glance, each card linking to its detail. */
export async function renderOverview (deps: ConsoleDeps): Promise<Html> {
  const [waiting, counts, people, storedStyle, last, current, failed, recent, inert] = await Promise.all([
    waitingList(deps, WAITING_SHOWN),
    deps.store.opStateCounts(),
    deps.store.counts(),
    deps.store.getSetting(API_STYLE_SETTING),
    lastReconcile(deps),
    deps.sampler.current(),
    deps.store.listOpStates({ state: 'failed', limit: 5 }),
    deps.store.listAudit({ limit: 10 }),
    inertGroupsPanel(deps)
  ])
  const now = current.at
  const samples = deps.sampler.samples()
  const hour = lastHour(samples, current)
  const window = now - hour.since >= HOUR - deps.sampler.intervalMs ? 'last hour' : `since start (${Math.max(1, Math.round((now - hour.since) / 60_000))} min)`
  const sinchCalls = hour.sinch.ok + hour.sinch.rateLimited + hour.sinch.failed
  const scimCalls = hour.scim.ok + hour.scim.clientError + hour.scim.serverError
  const lastOk = deps.sinchLastOkAt()
  const reachable = lastOk !== null && now - lastOk < HOUR && !(sinchCalls > 0 && hour.sinch.ok === 0) && deps.sinchCircuit?.().state !== 'open'
  const style = deps.apiStyle?.() ?? storedStyle
  const drift = (last?.projects ?? []).reduce((n, p) => n + p.unmanagedCount, 0)
  const oldest = waiting.oldest
  const names = await namesOf(deps.store, [...failed.map((o) => o.userId), ...recent.map((a) => a.scimUserId ?? '')])
  return html`${circuitBanner(deps.sinchCircuit?.(), now)}
<section class="cards" aria-label="Health">
${card('card-sinch', `${BASE}/activity`, 'Sinch', reachable ? 'reachable' : lastOk === null ? 'not reached yet' : 'not answering', lastOk === null ? 'no answer from Sinch since start' : html`last answer ${ago(new Date(lastOk).toISOString(), now)}`, reachable ? 'ok' : lastOk === null ? 'warn' : 'bad')}
${card('card-api-style', `${BASE}/reconcile`, 'Sinch API style', style ?? 'not detected yet', style === null ? 'known after the first call' : 'as detected or configured')}
${card('card-queue', '#waiting-heading', 'Queue', waiting.depth, oldest === null ? 'nothing waiting' : html`waiting · oldest since ${ago(oldest, now)}`, waiting.depth === 0 ? 'ok' : oldest !== null && now - Date.parse(oldest) > 15 * 60_000 ? 'warn' : '')}
${card('card-failed', `${BASE}/changes#failed`, 'Failed changes', counts.failed, `${waiting.depth} waiting`, counts.failed === 0 ? 'ok' : 'bad')}
${card('card-reconcile', `${BASE}/reconcile`, 'Last reconcile', last === null ? 'not yet' : last.ok ? 'ok' : 'failed', last === null ? 'runs at start and every interval' : html`${ago(last.finishedAt, now)} · drift ${drift}`, last === null ? 'warn' : last.ok ? 'ok' : 'bad')}
${card('card-scim', '#chart-scim', `SCIM requests, ${window}`, scimCalls, `${pct(hour.scim.clientError + hour.scim.serverError, scimCalls)} errors (${hour.scim.serverError} 5xx)`, hour.scim.serverError > 0 ? 'bad' : '')}
${card('card-sinch-calls', '#chart-sinch', `Sinch calls, ${window}`, sinchCalls, `${pct(hour.sinch.failed, sinchCalls)} failed · ${pct(hour.sinch.rateLimited, sinchCalls)} 429`, hour.sinch.failed > 0 ? 'bad' : hour.sinch.rateLimited > 0 ? 'warn' : '')}
${card('card-people', `${BASE}/people`, 'People', people.users, `${people.groups} group(s) · ${deps.managedProjects.length} managed project(s)`)}
</section>
${inert}
<h2>Over time</h2>
<p class="muted small">A sample every ${duration(deps.sampler.intervalMs)}, kept in memory for the last ${duration(deps.sampler.intervalMs * deps.sampler.capacity)} (not across restarts).</p>
${overviewCharts(samples)}
<h2 id="waiting-heading">Waiting in the queue</h2>
${waiting.table}
${waiting.depth > waiting.shown && html`<p><a href="${BASE}/changes#pending">All ${waiting.depth} waiting →</a></p>`}
<h2>Newest failed changes</h2>
${table(['Person', 'Project', 'Last error', 'Updated'], failed.map((o) => [personCell(nameOf(names, o.userId)), html`${o.projectId}`, html`${o.lastError ?? ''}`, ago(o.updatedAt, now)]), 'No failed change.', 'overview-failed')}
${counts.failed > failed.length && html`<p><a href="${BASE}/changes#failed">All ${counts.failed} failed changes →</a></p>`}
<h2>Recent activity</h2>
${auditTable(recent, names, true)}
<p><a href="${BASE}/activity">All activity →</a></p>`
}
