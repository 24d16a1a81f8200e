import type { Desired } from '../../domain/grants.js'
import type { KnownMember } from '../../domain/members.js'
import type { OpState } from '../../domain/op-states.js'
import { html, type Html } from './html.js'
import type { ConsoleDeps, PageContext } from './deps.js'
import { ago, BASE, due, table } from './layout.js'
import { auditTable } from './activity.js'
import { searchForm } from './people.js'

function effective (d: Desired | undefined): Html {
  if (d === undefined) return html`<span class="muted">—</span>`
  switch (d.kind) {
    case 'member': return html`<strong>${d.role}</strong>`
    case 'none': return html`<span class="muted">no access</span>`
    case 'suspended': return html`<span class="warn">suspended</span>`
    case 'readonly': return html`<span class="warn">READONLY</span>`
  }
}

function sinchStatus (m: KnownMember | undefined): Html {
  if (m === undefined) return html`<span class="muted">not a member</span>`
  return html`${m.role} · <span class="st-${m.status.toLowerCase()}">${m.status}</span>${m.origin === 'adopted' && html` <span class="muted">(adopted)</span>`}`
}

/** "grants nothing", with the reason when the group reads as a grant that cannot work. */
function inertCell (reasons: string[]): Html {
  return reasons.length === 0 ? html`<span class="muted">grants nothing</span>` : html`<span class="warn">grants nothing: ${reasons.join('; ')}</span>`
}

/** The retry form, for admins only; readers see the failed change without a button. */
export function retryForm (ctx: PageContext, userId: string): Html | false {
  const token = ctx.csrf()
  if (token === null) return false
  return html`<form class="inline" method="post" action="${BASE}/actions/retry"><input type="hidden" name="csrf" value="${token}"><input type="hidden" name="userId" value="${userId}"><button type="submit">Retry now</button></form>`
}

function opRow (ctx: PageContext, o: OpState): Html[] {
  return [html`${o.projectId}`, html`<span class="${o.state === 'failed' ? 'bad' : 'warn'}">${o.state}</span>`, html`${o.attempts}`, html`${o.lastError ?? ''}`, ago(o.updatedAt)]
}

/** One person across every managed project: who the IdP says they are, what they should hold and why, what Sinch holds. */
export async function renderPerson (deps: ConsoleDeps, ctx: PageContext, id: string): Promise<{ title: string, body: Html } | null> {
  const [user, subject] = await Promise.all([deps.store.getUser(id), deps.store.getSubject(id)])
  if (subject === null) return null
  const [members, ops, audit, [queued]] = await Promise.all([
    deps.store.listKnownMembers({ scimUserId: id }),
    deps.store.listOpStates({ userId: id }),
    deps.store.listAudit({ scimUserId: id, limit: 50 }),
    deps.store.listQueue({ userIds: [id], limit: 1 })
  ])
  const access = deps.access.desired(subject)
  const byProject = new Map(members.map((m) => [m.projectId, m]))
  const opOf = new Map(ops.map((o) => [o.projectId, o]))
  const roles = Array.isArray(user?.resource.roles) ? (user.resource.roles as Array<{ value?: unknown }>).map((r) => String(r.value ?? '')).filter((v) => v !== '') : []
  const projectRows = deps.managedProjects.map((p) => {
    const d = access.projects.get(p)
    const op = opOf.get(p)
    return [html`${p}`, effective(d), html`${d?.rule ?? ''}`, sinchStatus(byProject.get(p)), op === undefined || op.state === 'done' ? html`<span class="ok">in sync</span>` : html`<span class="${op.state === 'failed' ? 'bad' : 'warn'}">${op.state}</span>`]
  })
  const groupRows = subject.groups.map((g) => {
    const grants = deps.access.groupGrants({ ...subject, groups: [g] }).filter((x) => deps.managedProjects.includes(x.project))
    return [html`${g.displayName}${g.externalId !== null && html`<span class="id">${g.externalId}</span>`}`, grants.length === 0 ? inertCell(deps.access.inertReasons(g)) : html`${grants.map((x) => `${x.project}: ${x.role}`).join(', ')}`]
  })
  const open = ops.filter((o) => o.state !== 'done')
  const failed = open.some((o) => o.state === 'failed')
  const title = subject.userName
  const body = html`${searchForm('')}
<dl id="identity">
<dt>User name</dt><dd>${subject.userName}</dd>
<dt>Display name</dt><dd>${user?.displayName ?? ''}</dd>
<dt>SCIM id</dt><dd class="small">${id}</dd>
<dt>External id</dt><dd>${user?.externalId ?? ''}</dd>
<dt>Emails</dt><dd>${subject.emails.map((e) => `${e.value}${e.primary === true ? ' (primary)' : ''}`).join(', ')}</dd>
<dt>Identity in Sinch</dt><dd>${access.emailAsSent ?? html`<span class="bad">no usable email: nothing can be granted</span>`}</dd>
<dt>IdP status</dt><dd>${subject.deleted ? html`<span class="bad">deleted</span>` : subject.active ? html`<span class="ok">active</span>` : html`<span class="warn">deactivated</span>`}</dd>
${roles.length > 0 && html`<dt>Roles (SCIM)</dt><dd>${roles.join(', ')}</dd>`}
</dl>
<h2>Access per managed project</h2>
${table(['Project', 'Effective role', 'Because of', 'In Sinch', 'Change'], projectRows, 'No managed project.', 'access')}
<h2>Groups</h2>
${table(['Group', 'Grants'], groupRows, 'In no group.', 'groups')}
<h2>Pending and failed changes</h2>
${queued !== undefined && html`<p class="warn" id="person-queue">Waiting in the queue since ${ago(queued.enqueuedAt)}: retry ${due(queued.dueAt)}, ${queued.attempts} attempt(s)${queued.lastError !== null && html`, last error: ${queued.lastError}`}.</p>`}
${failed && retryForm(ctx, id)}
${table(['Project', 'State', 'Attempts', 'Last error', 'Updated'], open.map((o) => opRow(ctx, o)), 'Nothing pending: Sinch matches what the rules say.', 'person-ops')}
<h2>Audit trail</h2>
${auditTable(audit, new Map(), false)}`
  return { title, body }
}
