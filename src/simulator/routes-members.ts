import type { FastifyInstance, FastifyRequest } from 'fastify'
import { settle, type SimContext } from './context.js'
import { fieldViolation } from './errors.js'
import { guarded, type Outcome } from './guard.js'
import { refusesInvite, rewriteInviteEmail } from './invite-quirks.js'
import type { Member } from './state.js'

type P = { Params: { project: string, userId: string } }
type ListQ = { Params: { project: string }, Querystring: Record<string, string | undefined> }
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** The role names this account grants through the API (the roleNames knob). */
function grantable (ctx: SimContext): string[] {
  return Object.values(ctx.knobs.roleNames)
}

function listPage (ctx: SimContext, projectId: string, q: ListQ['Querystring']): Outcome {
  const d = ctx.dialect
  const max = Math.min(d.maxPageSize, ctx.knobs.maxPageSize ?? d.maxPageSize)
  const rawSize = q[d.query.size]
  const size = rawSize === undefined ? Math.min(d.defaultPageSize, max) : Number(rawSize)
  if (!Number.isInteger(size) || size < 1 || size > max) {
    return { status: 400, error: `${d.query.size} must be between 1 and ${max}`, details: [fieldViolation(d.query.size, `must be between 1 and ${max}`)] }
  }
  let after = 0
  const given = ctx.knobs.ignorePageToken ? undefined : q[d.query.token]
  if (given !== undefined && given !== '') {
    const payload = ctx.signer.verify(given)
    if (payload === null || payload.p !== projectId) return { status: 400, error: 'Invalid page token', details: [fieldViolation(d.query.token, 'invalid')] }
    if (ctx.clock.now() > Number(payload.exp)) return { status: 400, error: 'Page token expired', details: [fieldViolation(d.query.token, 'expired')] }
    after = Number(payload.after)
  }
  const project = ctx.state.project(projectId)
  if (project === undefined) return { status: 404, error: 'not found' }
  const start = project.indexAfter(after)
  const slice = project.ordered.slice(start, start + size)
  const more = start + size < project.ordered.length
  const last = slice[slice.length - 1]
  const next = more && last !== undefined ? ctx.signer.sign({ p: projectId, after: last.seq, exp: ctx.clock.now() + ctx.knobs.pageTokenTtlSec * 1000 }) : ''
  const body: Record<string, unknown> = { [d.listKey]: slice.map((m) => d.member(settle(ctx, m))) }
  const style = ctx.knobs.nextPageTokenStyle
  const nextKey = style === 'camel' ? 'nextPageToken' : d.nextKey
  if (style === 'null') body[nextKey] = next === '' ? null : next
  else if (style !== 'absent' || next !== '') body[nextKey] = next
  if (ctx.knobs.includeTotalSize) body[d.totalKey] = project.ordered.length
  return { status: 200, body }
}

function invite (ctx: SimContext, keyId: string, projectId: string, raw: unknown): Outcome {
  const b = (typeof raw === 'object' && raw !== null ? raw : {}) as { email?: unknown, role?: unknown, display_name?: unknown, displayName?: unknown }
  const names = grantable(ctx)
  if (typeof b.email !== 'string' || !EMAIL.test(b.email)) return { status: 400, error: 'Invalid email address', details: [fieldViolation('email', 'must be a valid email address')] }
  if (typeof b.role !== 'string' || !names.includes(b.role)) return { status: 400, error: 'Invalid role', details: [fieldViolation('role', `must be one of ${names.join(', ')}`)] }
  if (b.role === ctx.knobs.roleNames.OWNER && ctx.keys.get(keyId)?.ownerCapable !== true) return { status: 403, error: 'Access key may not grant OWNER' }
  if (refusesInvite(ctx.knobs.refuseInvites, projectId, b.email)) return { status: 400, error: 'Invalid email address', details: [fieldViolation('email', 'this address cannot be invited')] }
  const email = rewriteInviteEmail(b.email, ctx.knobs.inviteEmailRewrite)
  const project = ctx.state.project(projectId)
  const existing = project?.byEmail.get(email.toLowerCase())
  if (existing !== undefined) {
    const details = ctx.knobs.includeResourceName ? [{ '@type': 'type.googleapis.com/google.rpc.ResourceInfo', resourceType: 'member', resourceName: `projects/${projectId}/members/${existing.userId}` }] : []
    return { status: 409, error: `Member ${b.email} already exists`, details }
  }
  const displayName = ctx.dialect.style === 'v1' ? b.displayName : b.display_name
  const m = ctx.state.addMember(projectId, { email, role: b.role, status: 'PENDING', ...(typeof displayName === 'string' ? { displayName } : {}) }, ctx.clock.now())
  const json = ctx.dialect.member(m)
  if (ctx.knobs.omitUserIdOnInvite) { delete json.user_id; delete json.userId }
  // v1 creates answer 200 (as the Access Keys create does); the guide's invite status is a knob.
  return { status: ctx.dialect.style === 'v1' ? 200 : ctx.knobs.inviteStatus, body: json }
}

function update (ctx: SimContext, keyId: string, projectId: string, userId: string, raw: unknown): Outcome {
  const project = ctx.state.project(projectId)
  const m = project?.byId.get(userId)
  if (project === undefined || m === undefined) return { status: 404, error: `Member ${userId} not found` }
  settle(ctx, m)
  const b = (typeof raw === 'object' && raw !== null ? raw : {}) as { role?: unknown, status?: unknown }
  const owner = ctx.knobs.roleNames.OWNER
  const names = grantable(ctx)
  const ownerCapable = ctx.keys.get(keyId)?.ownerCapable === true
  if (m.role === owner && !ownerCapable) return { status: 403, error: 'Access key may not change an OWNER' }
  if (b.role !== undefined) {
    if (typeof b.role !== 'string' || !names.includes(b.role)) return { status: 400, error: 'Invalid role', details: [fieldViolation('role', `must be one of ${names.join(', ')}`)] }
    if (b.role === owner && !ownerCapable) return { status: 403, error: 'Access key may not grant OWNER' }
    if (m.role === owner && b.role !== owner && [...project.byId.values()].filter((x) => x.role === owner).length === 1) {
      return { status: 400, error: 'Cannot demote the last OWNER', details: [fieldViolation('role', 'project needs an owner')] }
    }
    if (m.role !== b.role) { m.role = b.role; m.updatedAt = ctx.clock.now() }
  } else if (b.status === 'SUSPENDED' || b.status === 'ACTIVE') {
    if (m.status === 'PENDING') return { status: 400, error: 'Cannot change the status of a pending member', details: [fieldViolation('status', 'member has not accepted the invitation')] }
    if (m.status !== b.status) { m.status = b.status; m.updatedAt = ctx.clock.now() }
  } else {
    return { status: 400, error: 'Nothing to update', details: [fieldViolation('role', 'role or status is required')] }
  }
  return { status: 200, body: ctx.dialect.member(m) }
}

function remove (ctx: SimContext, projectId: string, userId: string): Outcome {
  const project = ctx.state.project(projectId)
  const m: Member | undefined = project?.byId.get(userId)
  if (project === undefined || m === undefined) return { status: 404, error: `Member ${userId} not found` }
  project.remove(m)
  // v1 deletes answer 200 with an empty object (as the Access Keys delete does).
  if (ctx.dialect.style === 'v1') return { status: 200, body: {} }
  return ctx.knobs.deleteStyle === 204 ? { status: 204 } : { status: 200, body: {} }
}

export function registerMemberRoutes (app: FastifyInstance, ctx: SimContext): void {
  const members = `${ctx.dialect.prefix}/projects/:project/members`
  const one = `${members}/:userId`
  app.get(members, async (req: FastifyRequest<ListQ>, reply) =>
    await guarded(ctx, 'list', req, reply, (_c, p) => listPage(ctx, p, req.query)))
  app.post(members, async (req: FastifyRequest<{ Params: { project: string } }>, reply) =>
    await guarded(ctx, 'invite', req, reply, (c, p) => invite(ctx, c.keyId, p, req.body)))
  app.patch(one, async (req: FastifyRequest<P>, reply) =>
    await guarded(ctx, 'update', req, reply, (c, p) => update(ctx, c.keyId, p, req.params.userId, req.body)))
  app.delete(one, async (req: FastifyRequest<P>, reply) =>
    await guarded(ctx, 'remove', req, reply, (_c, p) => remove(ctx, p, req.params.userId)))
}
