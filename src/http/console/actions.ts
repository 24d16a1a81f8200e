import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { ConsoleDeps } from './deps.js'
import { BASE } from './layout.js'
import { crossSite, type Csrf, type Viewer } from './security.js'

/** What an action answers, by code: the page after the redirect prints the sentence, never the request's text. */
export const NOTICES = {
  retried: 'Retry queued: the change is being planned again now.',
  'nothing-to-retry': 'Nothing to retry: this person has no failed change (it may have just been retried).',
  repeat: 'Already done: this form was submitted before, so nothing was done twice.',
  'reconcile-started': 'Reconcile started: the drift report updates when it finishes.',
  'reconcile-running': 'A reconcile is already running: nothing new was started.',
  'reconcile-not-leader': 'Another replica holds the reconciler lease: it reconciles, this one may not.'
} as const
export type NoticeCode = keyof typeof NOTICES
export const NoticeSchema = z.enum(Object.keys(NOTICES) as [NoticeCode, ...NoticeCode[]])

const RetryFormSchema = z.object({ csrf: z.string().min(1).max(200), userId: z.string().min(1).max(200) })
const ReconcileFormSchema = z.object({ csrf: z.string().min(1).max(200) })

/** An action refused: the console renders it as a page with this status. */
export class Refusal {
  constructor (readonly status: 400 | 403, readonly message: string) {}
}

function gate (req: FastifyRequest, viewer: Viewer, csrf: Csrf, token: string): Refusal | 'ok' | 'repeat' {
  if (viewer.role !== 'admin') return new Refusal(403, 'Actions need ADMIN_TOKEN; a SCIM token only reads this console.')
  if (crossSite(req)) return new Refusal(403, 'Refused: the form was posted from another site.')
  const checked = csrf.check(token)
  if (checked === 'invalid') return new Refusal(403, 'The form expired or did not come from this console: reload the page and try again.')
  return checked
}

const see = async (reply: FastifyReply, path: string, notice: NoticeCode): Promise<FastifyReply> => await reply.code(303).header('location', `${path}?notice=${notice}`).send()

/** "Retry now": queues one person's failed change again at once (idempotent: a re-plan from state). */
export async function retryAction (deps: ConsoleDeps, csrf: Csrf, req: FastifyRequest, reply: FastifyReply, viewer: Viewer): Promise<FastifyReply | Refusal> {
  const form = RetryFormSchema.safeParse(req.body)
  if (!form.success) return new Refusal(400, 'The form is incomplete.')
  const { userId } = form.data
  const person = `${BASE}/people/${encodeURIComponent(userId)}`
  const gated = gate(req, viewer, csrf, form.data.csrf)
  if (gated === 'repeat') return await see(reply, person, 'repeat')
  if (gated !== 'ok') return gated
  const failed = (await deps.store.listOpStates({ userId })).filter((o) => o.state === 'failed')
  if (failed.length === 0) return await see(reply, person, 'nothing-to-retry')
  await deps.store.enqueue([userId])
  deps.wake()
  const subject = await deps.store.getSubject(userId)
  const email = subject === null ? '' : deps.access.desired(subject).email ?? subject.userName
  const by = viewer.role === 'admin' ? viewer.label : 'unknown'
  for (const o of failed) {
    await deps.store.appendAudit({ at: new Date().toISOString(), scimUserId: userId, email, projectId: o.projectId, action: 'retry', fromRole: null, toRole: null, rule: `console: ${by}`, outcome: 'ok', detail: `retry now by ${by}; last error: ${o.lastError ?? 'none'}`, durationMs: 0 })
  }
  req.log.info({ userId, projects: failed.map((o) => o.projectId), by }, 'retry requested in the console')
  return await see(reply, person, 'retried')
}

/** "Reconcile now": starts a reconcile unless one runs (a double submit joins the first). */
export async function reconcileAction (deps: ConsoleDeps, csrf: Csrf, req: FastifyRequest, reply: FastifyReply, viewer: Viewer): Promise<FastifyReply | Refusal> {
  const form = ReconcileFormSchema.safeParse(req.body)
  if (!form.success) return new Refusal(400, 'The form is incomplete.')
  const page = `${BASE}/reconcile`
  const gated = gate(req, viewer, csrf, form.data.csrf)
  if (gated === 'repeat') return await see(reply, page, 'repeat')
  if (gated !== 'ok') return gated
  const outcome = await deps.reconciler.runNow()
  if (outcome === 'running') return await see(reply, page, 'reconcile-running')
  if (outcome === 'not-leader') return await see(reply, page, 'reconcile-not-leader')
  const by = viewer.role === 'admin' ? viewer.label : 'unknown'
  await deps.store.appendAudit({ at: new Date().toISOString(), scimUserId: null, email: '', projectId: deps.managedProjects.join(','), action: 'reconcile', fromRole: null, toRole: null, rule: `console: ${by}`, outcome: 'ok', detail: `reconcile now by ${by}`, durationMs: 0 })
  req.log.info({ by }, 'reconcile requested in the console')
  return await see(reply, page, 'reconcile-started')
}
