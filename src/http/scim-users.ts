import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Directory } from '../directory/index.js'
import { notFound } from '../scim/errors.js'
import { listResponse, project, projectionParams } from '../scim/list.js'
import { patchUser } from '../scim/patch.js'
import { userInput, userJson, type SinchProjectView } from '../scim/resources.js'
import type { UserInput, UserRecord } from '../domain/users.js'
import type { RoleCatalogue } from '../domain/role-catalogue.js'
import type { UserView } from '../store/directory-store.js'
import { checkAssignedRoles } from '../scim/role-resource.js'
import { baseUrl, expectedVersion, idParam, listRequest, notModified, send } from './scim-context.js'

export interface UserRouteDeps {
  basePath: string
  directory: Directory
  auth: onRequestHookHandler
  /** The Sinch extension of a user, from the view its read already holds (no read of its own). */
  sinchExtension?: ((view: UserView) => SinchProjectView[]) | undefined
  roleCatalogue?: RoleCatalogue | undefined
}

export function registerUserRoutes (app: FastifyInstance, d: UserRouteDeps): void {
  const base = `${d.basePath}/Users`
  const opts = { onRequest: d.auth }

  const json = (req: FastifyRequest, v: UserView, record: UserRecord = v.record): Record<string, unknown> =>
    userJson(record, { baseUrl: baseUrl(req, d.basePath) }, v.groups, d.sinchExtension?.(v))

  /** A written user as a read shows it: its groups and Sinch view read back in one statement. */
  async function rendered (req: FastifyRequest, u: UserRecord): Promise<Record<string, unknown>> {
    const [v] = await d.directory.userViews([u.id])
    return json(req, v ?? { record: u, groups: [], members: [], ops: [] }, u)
  }

  async function list (req: FastifyRequest, reply: FastifyReply, src: Record<string, unknown>): Promise<FastifyReply> {
    const { params, req: list } = listRequest(src, 'user')
    const { total, records } = await d.directory.listUserViews(list)
    return send(reply, 200, listResponse(records.map((v) => project(json(req, v), params)), total, params))
  }

  async function current (req: FastifyRequest): Promise<UserRecord> {
    const id = idParam(req)
    const u = await d.directory.getUser(id)
    if (u === null) throw notFound('User', id)
    return u
  }

  async function write (req: FastifyRequest, status: number, previous: UserRecord | null, input: UserInput): Promise<unknown> {
    checkAssignedRoles(input.resource, d.roleCatalogue, previous?.resource ?? null, input.active)
    const version = previous === null ? null : expectedVersion(req, previous.version)
    const written = previous === null ? await d.directory.createUser(input) : await d.directory.replaceUser(previous, input, version)
    return { status, json: await rendered(req, written), version: written.version }
  }

  app.get(base, opts, async (req, reply) => await list(req, reply, req.query as Record<string, unknown>))
  app.post(`${base}/.search`, opts, async (req, reply) => await list(req, reply, (req.body ?? {}) as Record<string, unknown>))
  app.get(`${base}/:id`, opts, async (req, reply) => {
    const id = idParam(req)
    const [v] = await d.directory.userViews([id])
    if (v === undefined) throw notFound('User', id)
    if (notModified(req, v.record.version)) return reply.code(304).header('etag', `W/"${v.record.version}"`).send()
    return send(reply, 200, project(json(req, v), projectionParams(req.query as Record<string, unknown>)), v.record.version)
  })
  app.post(base, opts, async (req, reply) => {
    const out = await write(req, 201, null, userInput(req.body, null)) as { json: Record<string, unknown>, version: number }
    reply.header('location', (out.json.meta as { location: string }).location)
    return send(reply, 201, out.json, out.version)
  })
  app.put(`${base}/:id`, opts, async (req, reply) => {
    const u = await current(req)
    const out = await write(req, 200, u, userInput(req.body, u)) as { json: Record<string, unknown>, version: number }
    return send(reply, 200, out.json, out.version)
  })
  app.patch(`${base}/:id`, opts, async (req, reply) => {
    const u = await current(req)
    const out = await write(req, 200, u, await patchUser(u, req.body)) as { json: Record<string, unknown>, version: number }
    return send(reply, 200, out.json, out.version)
  })
  app.delete(`${base}/:id`, opts, async (req, reply) => {
    const u = await current(req)
    await d.directory.deleteUser(u, expectedVersion(req, u.version))
    return reply.code(204).send()
  })
}
