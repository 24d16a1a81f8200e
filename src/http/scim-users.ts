import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Directory } from '../directory/index.js'
import { notFound } from '../scim/errors.js'
import { listResponse, project, projectionParams } from '../scim/list.js'
import { patchUser } from '../scim/patch.js'
import { userInput, userJson, type SinchProjectView } from '../scim/resources.js'
import type { UserInput, UserRecord } from '../domain/users.js'
import type { RoleCatalogue } from '../domain/role-catalogue.js'
import { checkAssignedRoles } from '../scim/role-resource.js'
import { baseUrl, expectedVersion, idParam, listRequest, notModified, send } from './scim-context.js'

export interface UserRouteDeps {
  basePath: string
  directory: Directory
  auth: onRequestHookHandler
  sinchExtension?: ((userIds: string[]) => Promise<Map<string, SinchProjectView[]>>) | undefined
  roleCatalogue?: RoleCatalogue | undefined
}

export function registerUserRoutes (app: FastifyInstance, d: UserRouteDeps): void {
  const base = `${d.basePath}/Users`
  const opts = { onRequest: d.auth }

  async function render (req: FastifyRequest, users: UserRecord[]): Promise<Array<Record<string, unknown>>> {
    const ids = users.map((u) => u.id)
    const [groups, sinch] = await Promise.all([d.directory.groupsOfUsers(ids), d.sinchExtension?.(ids)])
    const ctx = { baseUrl: baseUrl(req, d.basePath) }
    return users.map((u) => userJson(u, ctx, groups.get(u.id) ?? [], sinch?.get(u.id)))
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
    const [json] = await render(req, [written])
    return { status, json: json as Record<string, unknown>, version: written.version }
  }

  app.get(base, opts, async (req, reply) => {
    const { params, req: list } = listRequest(req.query as Record<string, unknown>, 'user')
    const { total, records } = await d.directory.listUsers(list)
    return send(reply, 200, listResponse((await render(req, records)).map((r) => project(r, params)), total, params))
  })
  app.post(`${base}/.search`, opts, async (req, reply) => {
    const { params, req: list } = listRequest((req.body ?? {}) as Record<string, unknown>, 'user')
    const { total, records } = await d.directory.listUsers(list)
    return send(reply, 200, listResponse((await render(req, records)).map((r) => project(r, params)), total, params))
  })
  app.get(`${base}/:id`, opts, async (req, reply) => {
    const u = await current(req)
    if (notModified(req, u.version)) return reply.code(304).header('etag', `W/"${u.version}"`).send()
    const q = req.query as Record<string, unknown>
    const [json] = await render(req, [u])
    return send(reply, 200, project(json as Record<string, unknown>, projectionParams(q)), u.version)
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
