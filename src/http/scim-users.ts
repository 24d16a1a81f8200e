import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Directory } from '../directory/index.js'
import { notFound } from '../scim/errors.js'
import { listResponse, listResponseText, project, projectionParams, type ListParams } from '../scim/list.js'
import { documentRenderer, withBaseUrl } from '../scim/user-document.js'
import { patchUser } from '../scim/patch.js'
import { userInput, userJson, type SinchProjectView } from '../scim/resources.js'
import type { UserInput, UserRecord } from '../domain/users.js'
import type { RoleCatalogue } from '../domain/role-catalogue.js'
import type { UserRead, UserView } from '../store/directory-store.js'
import { checkAssignedRoles } from '../scim/role-resource.js'
import { baseUrl, expectedVersion, idParam, listRequest, notModified, send } from './scim-context.js'

export interface UserRouteDeps {
  basePath: string
  directory: Directory
  auth: onRequestHookHandler
  /** The Sinch extension of a user, from the view its read already holds (no read of its own). */
  sinchExtension?: ((view: UserView) => SinchProjectView[]) | undefined
  roleCatalogue?: RoleCatalogue | undefined
  /** Names this app's renderer (AppDeps.documentKey); absent: random, so documents last as long as the app. */
  documentKey?: string | undefined
}

export function registerUserRoutes (app: FastifyInstance, d: UserRouteDeps): void {
  const base = `${d.basePath}/Users`
  const opts = { onRequest: d.auth }

  const json = (req: FastifyRequest, v: UserView, record: UserRecord = v.record): Record<string, unknown> =>
    userJson(record, { baseUrl: baseUrl(req, d.basePath) }, v.groups, d.sinchExtension?.(v))
  // Reads without attributes/excludedAttributes are served from documents the store keeps ready
  // (SQLite): the key names this app's renderer, rules included, so a restart with other rules or
  // other code never serves a document rendered under the old ones.
  const documentKey = d.documentKey ?? randomUUID()
  const renderDocument = documentRenderer((v, base) => userJson(v.record, { baseUrl: base }, v.groups, d.sinchExtension?.(v)))
  const plain = (p: Pick<ListParams, 'attributes' | 'excludedAttributes'>): boolean => p.attributes === null && p.excludedAttributes === null
  const text = (req: FastifyRequest, r: UserRead): string => 'body' in r ? r.body : JSON.stringify(json(req, r))

  /** A created user as a read shows it: its groups and Sinch view read back in one statement. */
  async function rendered (req: FastifyRequest, u: UserRecord): Promise<Record<string, unknown>> {
    const [v] = await d.directory.userViews([u.id])
    return json(req, v ?? { record: u, groups: [], members: [], ops: [] }, u)
  }

  async function list (req: FastifyRequest, reply: FastifyReply, src: Record<string, unknown>): Promise<FastifyReply> {
    const { params, req: list } = listRequest(src, 'user')
    if (plain(params)) {
      const { total, records } = await d.directory.listUserDocuments(list, documentKey, renderDocument)
      return send(reply, 200, withBaseUrl(listResponseText(records.map((r) => text(req, r)), total, params), baseUrl(req, d.basePath)))
    }
    const { total, records } = await d.directory.listUserViews(list)
    return send(reply, 200, listResponse(records.map((v) => project(json(req, v), params)), total, params))
  }

  /** The user of the path with its groups and Sinch view: what a PUT or PATCH starts from and answers with. */
  async function current (req: FastifyRequest): Promise<UserView> {
    const id = idParam(req)
    const [v] = await d.directory.userViews([id])
    if (v === undefined) throw notFound('User', id)
    return v
  }

  async function create (req: FastifyRequest, reply: FastifyReply, input: UserInput): Promise<FastifyReply> {
    checkAssignedRoles(input.resource, d.roleCatalogue, null, input.active)
    const written = await d.directory.createUser(input)
    const out = await rendered(req, written)
    reply.header('location', (out.meta as { location: string }).location)
    return send(reply, 201, out, written.version)
  }

  async function replace (req: FastifyRequest, reply: FastifyReply, previous: UserView, input: UserInput): Promise<FastifyReply> {
    checkAssignedRoles(input.resource, d.roleCatalogue, previous.record.resource, input.active)
    const version = expectedVersion(req, previous.record.version)
    const v = await d.directory.replaceUserView(previous, input, version)
    return send(reply, 200, json(req, v), v.record.version)
  }

  app.get(base, opts, async (req, reply) => await list(req, reply, req.query as Record<string, unknown>))
  app.post(`${base}/.search`, opts, async (req, reply) => await list(req, reply, (req.body ?? {}) as Record<string, unknown>))
  app.get(`${base}/:id`, opts, async (req, reply) => {
    const id = idParam(req)
    const projection = projectionParams(req.query as Record<string, unknown>)
    const found = plain(projection) ? await d.directory.userDocument(id, documentKey, renderDocument) : (await d.directory.userViews([id]))[0] ?? null
    if (found === null) throw notFound('User', id)
    const version = 'body' in found ? found.version : found.record.version
    if (notModified(req, version)) return reply.code(304).header('etag', `W/"${version}"`).send()
    if ('body' in found) return send(reply, 200, withBaseUrl(found.body, baseUrl(req, d.basePath)), version)
    return send(reply, 200, project(json(req, found), projection), version)
  })
  app.post(base, opts, async (req, reply) => await create(req, reply, userInput(req.body, null)))
  app.put(`${base}/:id`, opts, async (req, reply) => {
    const v = await current(req)
    return await replace(req, reply, v, userInput(req.body, v.record))
  })
  app.patch(`${base}/:id`, opts, async (req, reply) => {
    const v = await current(req)
    return await replace(req, reply, v, await patchUser(v.record, req.body))
  })
  app.delete(`${base}/:id`, opts, async (req, reply) => {
    const id = idParam(req)
    const u = await d.directory.getUser(id)
    if (u === null) throw notFound('User', id)
    await d.directory.deleteUser(u, expectedVersion(req, u.version))
    return reply.code(204).send()
  })
}
