import type { FastifyInstance, FastifyRequest } from 'fastify'
import { settle, type SimContext } from './context.js'
import { fieldViolation } from './errors.js'
import { guarded, type Outcome } from './guard.js'
import { refusesInvite, rewriteInviteEmail } from './invite-quirks.js'
import { memberJson, ROLES, type Member, type Role } from './state.js'

type P = { Params: { project: string, userId: string } }
type ListQ = { Params: { project: string }, Querystring: { page_size?: string, page_token?: string } }
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

function listPage (ctx: SimContext, projectId: string, q: ListQ['Querystring']): Outcome {
  const size = q.page_size === undefined ? 20 : Number(q.page_size)
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    return { status: 400, error: 'page_size must be between 1 and 100', details: [fieldViolation('page_size', 'must be between 1 and 100')] }
  }
  let after = 0
  if (q.page_token !== undefined && q.page_token !== '') {
    const payload = ctx.signer.verify(q.page_token)
    if (payload === null || payload.p !== projectId) return { status: 400, error: 'Invalid page token', details: [fieldViolation('page_token', 'invalid')] }
    if (ctx.clock.now() > Number(payload.exp)) return { status: 400, error: 'Page token expired', details: [fieldViolation('page_token', 'expired')] }
    after = Number(payload.after)
  }
  const project = ctx.state.project(projectId)
  if (project === undefined) return { status: 404, error: 'not found' }
  const start = project.indexAfter(after)
  const slice = project.ordered.slice(start, start + size)
  const more = start + size < project.ordered.length
  const last = slice[slice.length - 1]
  const next = more && last !== undefined ? ctx.signer.sign({ p: projectId, after: last.seq, exp: ctx.clock.now() + ctx.knobs.pageTokenTtlSec * 1000 }) : ''
  const body: Record<string, unknown> = { members: slice.map((m) => memberJson(settle(ctx, m))) }
  const style = ctx.knobs.nextPageTokenStyle
  if (style === 'camel') body.nextPageToken = next
  else if (style === 'null') body.next_page_token = next === '' ? null : next
  else if (style !== 'absent' || next !== '') body.next_page_token = next
  if (ctx.knobs.includeTotalSize) body.total_size = project.ordered.length
  return { status: 200, body }
}

function invite (ctx: SimContext, keyId: string, projectId: string, raw: unknown): Outcome {
  const b = (typeof raw === 'object' && raw !== null ? raw : {}) as { email?: unknown, role?: unknown, display_name?: unknown }
  if (typeof b.email !== 'string' || !EMAIL.test(b.email)) return { status: 400, error: 'Invalid email address', details: [fieldViolation('email', 'must be a valid email address')] }
  if (typeof b.role !== 'string' || !ROLES.includes(b.role as Role)) return { status: 400, error: 'Invalid role', details: [fieldViolation('role', `must be one of ${ROLES.join(', ')}`)] }
  if (b.role === 'OWNER' && ctx.keys.get(keyId)?.ownerCapable !== true) return { status: 403, error: 'Access key may not grant OWNER' }
  if (refusesInvite(ctx.knobs.refuseInvites, projectId, b.email)) return { status: 400, error: 'Invalid email address', details: [fieldViolation('email', 'this address cannot be invited')] }
  const email = rewriteInviteEmail(b.email, ctx.knobs.inviteEmailRewrite)
  const project = ctx.state.project(projectId)
  const existing = project?.byEmail.get(email.toLowerCase())
  if (existing !== undefined) {
    const details = ctx.knobs.includeResourceName ? [{ '@type': 'type.googleapis.com/google.rpc.ResourceInfo', resourceType: 'member', resourceName: `projects/${projectId}/members/${existing.userId}` }] : []
    return { status: 409, error: `Member ${b.email} already exists`, details }
  }
  const m = ctx.state.addMember(projectId, { email, role: b.role as Role, status: 'PENDING', ...(typeof b.display_name === 'string' ? { displayName: b.display_name } : {}) }, ctx.clock.now())
  const json = memberJson(m)
  if (ctx.knobs.omitUserIdOnInvite) delete json.user_id
  return { status: ctx.knobs.inviteStatus, body: json }
}

function update (ctx: SimContext, keyId: string, projectId: string, userId: string, raw: unknown): Outcome {
  const project = ctx.state.project(projectId)
  const m = project?.byId.get(userId)
  if (project === undefined || m === undefined) return { status: 404, error: `Member ${userId} not found` }
  settle(ctx, m)
  const b = (typeof raw === 'object' && raw !== null ? raw : {}) as { role?: unknown, status?: unknown }
  const ownerCapable = ctx.keys.get(keyId)?.ownerCapable === true
  if (m.role === 'OWNER' && !ownerCapable) return { status: 403, error: 'Access key may not change an OWNER' }
  if (b.role !== undefined) {
    if (typeof b.role !== 'string' || !ROLES.includes(b.role as Role)) return { status: 400, error: 'Invalid role', details: [fieldViolation('role', `must be one of ${ROLES.join(', ')}`)] }
    if (b.role === 'OWNER' && !ownerCapable) return { status: 403, error: 'Access key may not grant OWNER' }
    if (m.role === 'OWNER' && b.role !== 'OWNER' && [...project.byId.values()].filter((x) => x.role === 'OWNER').length === 1) {
      return { status: 400, error: 'Cannot demote the last OWNER', details: [fieldViolation('role', 'project needs an owner')] }
    }
    if (m.role !== b.role) { m.role = b.role as Role; m.updatedAt = ctx.clock.now() }
  } else if (b.status === 'SUSPENDED' || b.status === 'ACTIVE') {
    if (m.status === 'PENDING') return { status: 400, error: 'Cannot change the status of a pending member', details: [fieldViolation('status', 'member has not accepted the invitation')] }
    if (m.status !== b.status) { m.status = b.status; m.updatedAt = ctx.clock.now() }
  } else {
    return { status: 400, error: 'Nothing to update', details: [fieldViolation('role', 'role or status is required')] }
  }
  return { status: 200, body: memberJson(m) }
}

function remove (ctx: SimContext, projectId: string, userId: string): Outcome {
  const project = ctx.state.project(projectId)
  const m: Member | undefined = project?.byId.get(userId)
  if (project === undefined || m === undefined) return { status: 404, error: `Member ${userId} not found` }
  project.remove(m)
  return ctx.knobs.deleteStyle === 204 ? { status: 204 } : { status: 200, body: {} }
}

export function registerMemberRoutes (app: FastifyInstance, ctx: SimContext): void {
  app.get('/projects/:project/members', async (req: FastifyRequest<ListQ>, reply) =>
    await guarded(ctx, 'list', req, reply, (_c, p) => listPage(ctx, p, req.query)))
  app.post('/projects/:project/members', async (req: FastifyRequest<{ Params: { project: string } }>, reply) =>
    await guarded(ctx, 'invite', req, reply, (c, p) => invite(ctx, c.keyId, p, req.body)))
  app.patch('/projects/:project/members/:userId', async (req: FastifyRequest<P>, reply) =>
    await guarded(ctx, 'update', req, reply, (c, p) => update(ctx, c.keyId, p, req.params.userId, req.body)))
  app.delete('/projects/:project/members/:userId', async (req: FastifyRequest<P>, reply) =>
    await guarded(ctx, 'remove', req, reply, (_c, p) => remove(ctx, p, req.params.userId)))
}
