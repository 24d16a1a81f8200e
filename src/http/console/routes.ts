import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { NOTICES, NoticeSchema, reconcileAction, Refusal, retryAction } from './actions.js'
import { renderActivity } from './activity.js'
import { renderChanges } from './changes.js'
import type { ConsoleDeps, PageContext } from './deps.js'
import { html, type Html } from './html.js'
import { BASE, FAVICON, page, STYLESHEET } from './layout.js'
import { renderOverview } from './overview.js'
import { renderPeople } from './people.js'
import { renderPerson } from './person.js'
import { renderProject } from './projects.js'
import { renderReconcile } from './reconcile.js'
import { createCsrf, hardeningHeaders, viewerOf, type Viewer } from './security.js'

const QuerySchema = z.object({
  q: z.string().max(200).catch('').default('').transform((s) => s.trim()),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  notice: NoticeSchema.optional().catch(undefined)
})
const IdSchema = z.object({ id: z.string().min(1).max(200) })

/** Form bodies of the two actions are a few hundred bytes; anything larger is not ours. */
const FORM_LIMIT = 4096

declare module 'fastify' {
  interface FastifyRequest { consoleViewer?: Viewer }
}

/**
 * The admin console under /status: read with any SCIM token or ADMIN_TOKEN (Basic, any user
 * name, or Bearer); act (retry, reconcile) with ADMIN_TOKEN only. Works without JavaScript.
 */
export async function registerConsole (app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const csrf = createCsrf(deps.tokens.admin)
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })
    scope.addHook('onRequest', async (req, reply) => {
      hardeningHeaders(reply)
      if (req.url === `${BASE}/console.css` || req.url === `${BASE}/favicon.svg`) return
      const viewer = viewerOf(req, deps.tokens)
      if (viewer === null) {
        return await reply.code(401).header('www-authenticate', 'Basic realm="sinch-scim-bridge console", charset="UTF-8"').type('text/plain; charset=utf-8').send('Use a SCIM token or ADMIN_TOKEN as the password (any user name).')
      }
      req.consoleViewer = viewer
    })
    scope.setErrorHandler(async (err, req, reply) => {
      req.log.error({ err }, 'console page failed')
      return await reply.code(500).type('text/html; charset=utf-8').send(`<!doctype html><title>Error</title><p>The page could not be built (request ${String(req.id).replace(/[^\w-]/g, '')}); the details are in the bridge's log.</p>`)
    })

    const ctxOf = (req: FastifyRequest, notice: string | null): PageContext => {
      const viewer = req.consoleViewer ?? { role: 'reader' }
      return { viewer, sandbox: deps.sandbox, notice, csrf: () => (viewer.role === 'admin' ? csrf.issue() : null) }
    }
    const send = async (reply: FastifyReply, body: Html, status = 200): Promise<FastifyReply> => await reply.code(status).type('text/html; charset=utf-8').send(body.value)
    const query = (req: FastifyRequest): z.infer<typeof QuerySchema> => QuerySchema.parse(req.query ?? {})
    const noticeOf = (q: z.infer<typeof QuerySchema>): string | null => (q.notice === undefined ? null : NOTICES[q.notice])
    const refuse = async (req: FastifyRequest, reply: FastifyReply, r: Refusal): Promise<FastifyReply> => await send(reply, page(ctxOf(req, null), '', r.status === 403 ? 'Not allowed' : 'Bad request', html`<p>${r.message}</p><p><a href="${BASE}">Back to the overview</a></p>`), r.status)

    scope.get(`${BASE}/console.css`, async (_req, reply) => await reply.header('cache-control', 'private, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET))

    scope.get(`${BASE}/favicon.svg`, async (_req, reply) => await reply.header('cache-control', 'private, max-age=86400').type('image/svg+xml').send(FAVICON))

    scope.get(BASE, async (req, reply) => {
      const q = query(req)
      // The old status page searched by email here: its bookmarks land on the people search.
      if (q.q !== '') return await reply.code(303).header('location', `${BASE}/people?q=${encodeURIComponent(q.q)}`).send()
      return await send(reply, page(ctxOf(req, noticeOf(q)), 'overview', 'Overview', await renderOverview(deps)))
    })
    scope.get(`${BASE}/people`, async (req, reply) => {
      const q = query(req)
      return await send(reply, page(ctxOf(req, noticeOf(q)), 'people', 'People', await renderPeople(deps, q.q, q.page)))
    })
    scope.get(`${BASE}/people/:id`, async (req, reply) => {
      const ctx = ctxOf(req, noticeOf(query(req)))
      const { id } = IdSchema.parse(req.params)
      const person = await renderPerson(deps, ctx, id)
      if (person === null) return await send(reply, page(ctx, 'people', 'No such person', html`<p>No user with id <code>${id}</code> is in the directory.</p><p><a href="${BASE}/people">Find a person</a></p>`), 404)
      return await send(reply, page(ctx, 'people', person.title, person.body))
    })
    scope.get(`${BASE}/changes`, async (req, reply) => {
      const ctx = ctxOf(req, noticeOf(query(req)))
      return await send(reply, page(ctx, 'changes', 'Pending and failed changes', await renderChanges(deps, ctx)))
    })
    scope.get(`${BASE}/reconcile`, async (req, reply) => {
      const ctx = ctxOf(req, noticeOf(query(req)))
      return await send(reply, page(ctx, 'reconcile', 'Reconcile and drift', await renderReconcile(deps, ctx)))
    })
    scope.get(`${BASE}/projects/:id`, async (req, reply) => {
      const q = query(req)
      const ctx = ctxOf(req, noticeOf(q))
      const { id } = IdSchema.parse(req.params)
      const body = await renderProject(deps, id, q.q)
      if (body === null) return await send(reply, page(ctx, 'reconcile', 'Not a managed project', html`<p><code>${id}</code> is not in SINCH_PROJECT_IDS.</p>`), 404)
      return await send(reply, page(ctx, 'reconcile', `Project ${id}`, body))
    })
    scope.get(`${BASE}/activity`, async (req, reply) => {
      const ctx = ctxOf(req, noticeOf(query(req)))
      return await send(reply, page(ctx, 'activity', 'Activity', await renderActivity(deps)))
    })
    scope.post(`${BASE}/actions/retry`, async (req, reply) => {
      const r = await retryAction(deps, csrf, req, reply, req.consoleViewer ?? { role: 'reader' })
      return r instanceof Refusal ? await refuse(req, reply, r) : r
    })
    scope.post(`${BASE}/actions/reconcile`, async (req, reply) => {
      const r = await reconcileAction(deps, csrf, req, reply, req.consoleViewer ?? { role: 'reader' })
      return r instanceof Refusal ? await refuse(req, reply, r) : r
    })
  })
}
