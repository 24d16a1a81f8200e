import type { FastifyReply, FastifyRequest } from 'fastify'
import { authenticate, type Caller } from './routes-auth.js'
import type { SimContext } from './context.js'
import { sendError, type ErrorDetail } from './errors.js'
import type { Route } from './faults.js'

export type Outcome =
  | { status: number, body?: unknown }
  | { status: number, error: string, details?: ErrorDetail[] }

export type Handler = (caller: Caller, projectId: string) => Outcome

/**
 * Every Sinch route goes through here, in Sinch's order: authentication, project access, rate
 * limit, injected latency and faults, the change itself, then (fault) a lost response.
 */
export async function guarded (ctx: SimContext, route: Route, req: FastifyRequest<{ Params: { project: string } }>, reply: FastifyReply, handler: Handler): Promise<FastifyReply> {
  const projectId = req.params.project
  const at = new Date(ctx.clock.now()).toISOString()
  const body = req.method === 'GET' || req.method === 'DELETE' ? null : req.body ?? null
  const entry = { at, method: req.method, path: req.url, route, projectId, body, dropped: false }
  const caller = authenticate(ctx, req, reply)
  if (caller === null) {
    ctx.log.add({ ...entry, status: 401, keyId: null })
    return reply
  }
  const done = (status: number, dropped = false): void => ctx.log.add({ ...entry, status, keyId: caller.keyId, dropped })
  const key = ctx.keys.get(caller.keyId)
  const allowed = ctx.state.project(projectId) !== undefined && (key?.projects === undefined || key.projects.includes(projectId))
  if (!allowed) {
    const status = ctx.knobs.unknownProject === '404' && ctx.state.project(projectId) === undefined ? 404 : 403
    done(status)
    return sendError(reply, ctx.knobs.errorShape, status, status === 404 ? `Project ${projectId} not found` : `Access key ${caller.keyId} does not have access to projects/${projectId}`)
  }
  const bucket = caller.mode === 'basic' ? ctx.knobs.basicBucket : ctx.knobs.bucket
  if (!ctx.limiter.take(`${caller.keyId}|${projectId}|${caller.mode}`, bucket, ctx.clock.now())) {
    done(429)
    return sendError(reply, ctx.knobs.errorShape, 429, '')
  }
  if (ctx.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, ctx.faults.latencyMs))
  const fault = ctx.faults.before(route)
  if (fault?.kind === 'status') {
    done(fault.status)
    return sendError(reply, ctx.knobs.errorShape, fault.status, 'The service is currently unavailable.')
  }
  const out = handler(caller, projectId)
  if (ctx.faults.after(route)?.kind === 'drop') {
    // The change is applied; the answer is lost, as with a reset after Sinch's write.
    done(out.status, true)
    reply.hijack()
    req.raw.socket.destroy()
    return reply
  }
  done(out.status)
  if ('error' in out) return sendError(reply, ctx.knobs.errorShape, out.status, out.error, out.details ?? [])
  reply.code(out.status)
  return out.body === undefined ? reply.send() : reply.type('application/json').send(out.body)
}
