import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuditEntry, KnownMember, OpState, ProvisioningStore } from '../store/types.js'
import { bearerOf, matchesSecret } from './ops-routes.js'

export interface StatusPageDeps {
  store: Pick<ProvisioningStore, 'managedMembers' | 'sinchViewOf' | 'listOpStates' | 'opStateCounts' | 'queueDepth' | 'listAudit' | 'getSetting'>
  managedProjects: string[]
  /** SCIM tokens and the admin token: any of them opens the page. */
  tokens: () => string[]
  sandbox: boolean
  /** The Sinch API style in use (null until the first call decided it). */
  apiStyle?: () => string | null
}

const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function authorised (req: FastifyRequest, tokens: string[]): boolean {
  let given = bearerOf(req)
  const h = req.headers.authorization
  if (given === null && typeof h === 'string' && /^Basic\s+/i.test(h)) {
    // Browsers speak Basic: any user name, the token as the password.
    const decoded = Buffer.from(h.replace(/^Basic\s+/i, ''), 'base64').toString('utf8')
    given = decoded.slice(decoded.indexOf(':') + 1)
  }
  if (given === null || given.length === 0) return false
  return matchesSecret(given, tokens)
}

interface ReconcileSummary { finishedAt?: string, ok?: boolean, error?: string | null, durationMs?: number, projects?: Array<{ projectId: string, members: number, managed: number, unmanagedCount: number, unmanagedSample: string[], changedByHand: number }> }

function table (head: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`
}

function memberRows (members: KnownMember[], ops: Map<string, OpState>): string[][] {
  return members.map((m) => {
    const op = m.scimUserId === null ? undefined : ops.get(`${m.scimUserId}|${m.projectId}`)
    return [esc(m.email), esc(m.role), `<span class="st-${esc(m.status.toLowerCase())}">${esc(m.status)}</span>`, esc(m.origin ?? ''), esc(m.scimUserId ?? ''), esc(op?.lastError ?? '')]
  })
}

function auditRows (entries: AuditEntry[]): string[][] {
  return entries.map((a) => [esc(a.at), esc(a.projectId), esc(a.email), esc(a.action + (a.toRole === null ? '' : ` → ${a.toRole}`)), esc(a.outcome), esc(a.rule), esc(a.detail ?? '')])
}

function adoptionRows (entries: AuditEntry[]): string[][] {
  return entries.filter((a) => a.outcome === 'ok').map((a) => [esc(a.at), esc(a.projectId), esc(a.email), esc(a.fromRole ?? ''), esc(a.scimUserId ?? ''), esc(a.detail ?? '')])
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1d1d1f}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f7}.banner{background:#fff4ce;padding:.6rem 1rem;border-radius:6px}.empty{color:#666}.st-pending{color:#a05a00}.st-active{color:#137333}.st-suspended{color:#b3261e}.st-unknown{color:#6b21a8}
form{margin:1rem 0}input{padding:.3rem;width:20rem}`

/** Rows per table: a project of 100,000 members is searched, not listed. */
const MEMBERS_SHOWN = 200
const OPS_SHOWN = 200

async function render (deps: StatusPageDeps, q: string): Promise<string> {
  const needle = q.toLowerCase()
  const [pending, failed, counts, depth, audit, adoptions, lastRaw, projects] = await Promise.all([
    deps.store.listOpStates({ state: 'pending', limit: OPS_SHOWN }),
    deps.store.listOpStates({ state: 'failed', limit: OPS_SHOWN }),
    deps.store.opStateCounts(),
    deps.store.queueDepth(),
    deps.store.listAudit(q === '' ? { limit: 50 } : { email: needle, limit: 50 }),
    deps.store.listAudit(q === '' ? { action: 'adopt', limit: 50 } : { action: 'adopt', email: needle, limit: 50 }),
    deps.store.getSetting('reconcile.last'),
    Promise.all(deps.managedProjects.map(async (projectId) => ({ projectId, ...await deps.store.managedMembers(projectId, { emailContains: needle, limit: MEMBERS_SHOWN }) })))
  ])
  const last = lastRaw === null ? null : JSON.parse(lastRaw) as ReconcileSummary
  // The pending error of each member shown, whether or not its op is among the newest listed below.
  const shownUsers = [...new Set(projects.flatMap((p) => p.members.map((m) => m.scimUserId ?? '')).filter((id) => id !== ''))]
  const shownOps = shownUsers.length === 0 ? [] : (await deps.store.sinchViewOf(shownUsers)).ops
  const opIndex = new Map(shownOps.map((o) => [`${o.userId}|${o.projectId}`, o]))
  const sections = projects.map(({ projectId, total, members }) =>
    `<h2>Project ${esc(projectId)} — ${total} managed member(s)${q === '' ? '' : ' matching'}</h2>` +
    table(['Email', 'Role', 'Status', 'How', 'SCIM user', 'Pending error'], memberRows(members, opIndex), q === '' ? 'No managed members yet.' : 'No managed member matches.') +
    (total > members.length ? `<p class="more">${total - members.length} more not shown; search by email.</p>` : ''))
  const opsHidden = counts.pending + counts.failed - pending.length - failed.length
  const opsRows = [...pending, ...failed].map((o) => [esc(o.userId), esc(o.projectId), esc(o.state), esc(o.attempts), esc(o.lastError ?? ''), esc(o.updatedAt)])
  const drift = (last?.projects ?? []).map((p) => [esc(p.projectId), esc(p.members), esc(p.managed), esc(p.unmanagedCount), esc(p.unmanagedSample.join(', ')), esc(p.changedByHand)])
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sinch-scim-bridge status</title><meta name="viewport" content="width=device-width"><style>${STYLE}</style></head><body>
<h1>sinch-scim-bridge status</h1>
${deps.sandbox ? '<p class="banner">Sandbox mode: the bundled Sinch simulator answers; nothing is sent to Sinch.</p>' : ''}
<p>Sinch API style: <b>${esc(deps.apiStyle?.() ?? 'not known yet')}</b></p>
<form method="get"><label>Search by email <input name="q" value="${esc(q)}" type="search"></label> <button type="submit">Search</button></form>
<p>Queue: <strong id="queue-depth">${depth.depth}</strong> user(s) waiting${depth.oldestEnqueuedAt === null ? '' : `, oldest since ${esc(depth.oldestEnqueuedAt)}`}.</p>
<p>Last reconcile: <strong id="last-reconcile">${last === null ? 'not yet run' : `${esc(last.finishedAt)} — ${last.ok === true ? 'ok' : `failed: ${esc(last.error)}`} in ${esc(last.durationMs)} ms`}</strong></p>
${sections.join('\n')}
<h2>Pending and failed changes</h2>
<p id="op-counts">${counts.pending} pending, ${counts.failed} failed.</p>
${table(['SCIM user', 'Project', 'State', 'Attempts', 'Last error', 'Updated'], opsRows, 'Nothing pending.')}${opsHidden > 0 ? `<p class="more">${opsHidden} older not shown.</p>` : ''}
<h2>Adopted members</h2>
<p>Members that existed in Sinch before the bridge took them over (ADOPT_EXISTING); refused adoptions are listed as failed changes above.</p>
${table(['At', 'Project', 'Email', 'Role held before', 'SCIM user', 'Detail'], adoptionRows(adoptions), 'No member adopted.')}
<h2>Drift (last reconcile)</h2>
${table(['Project', 'Members', 'Managed', 'Not managed', 'Examples (never changed)', 'Changed by hand'], drift, 'No reconcile report yet.')}
<h2>Recent changes</h2>
${table(['At', 'Project', 'Email', 'Action', 'Outcome', 'Rule', 'Detail'], auditRows(audit), 'No changes recorded.')}
</body></html>`
}

export async function registerStatusPage (app: FastifyInstance, deps: StatusPageDeps): Promise<void> {
  app.get('/status', async (req: FastifyRequest<{ Querystring: { q?: string } }>, reply: FastifyReply) => {
    if (!authorised(req, deps.tokens())) {
      return await reply.code(401).header('www-authenticate', 'Basic realm="sinch-scim-bridge status", charset="UTF-8"').type('text/plain').send('Use the SCIM token or ADMIN_TOKEN as the password.')
    }
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : ''
    const html = await render(deps, q)
    return await reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'").send(html)
  })
}
