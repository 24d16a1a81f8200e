import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Directory } from '../directory/index.js'
import { notFound } from '../scim/errors.js'
import { listResponse, project, projectionParams } from '../scim/list.js'
import { patchGroup } from '../scim/patch.js'
import { groupInput, groupJson } from '../scim/resources.js'
import type { GroupRecord } from '../domain/groups.js'
import { baseUrl, expectedVersion, idParam, listRequest, notModified, send } from './scim-context.js'

export interface GroupRouteDeps {
  basePath: string
  directory: Directory
  auth: onRequestHookHandler
}

type Projection = ReturnType<typeof projectionParams>

/** Whether an answer keeps `members` (RFC 7644 §3.4.2.5); if not, their names are not looked up. */
function showsMembers (p: Projection): boolean {
  if (p.excludedAttributes?.some((a) => a.toLowerCase() === 'members') === true) return false
  return p.attributes === null || p.attributes.some((a) => /^(urn:ietf:params:scim:schemas:core:2\.0:group:)?members(\.|$)/i.test(a))
}

export function registerGroupRoutes (app: FastifyInstance, d: GroupRouteDeps): void {
  const base = `${d.basePath}/Groups`
  const opts = { onRequest: d.auth }
  /** RFC 7643 §4.2 members.display, for every group of the answer from one store query. */
  async function render (req: FastifyRequest, groups: GroupRecord[], p: Projection): Promise<Array<Record<string, unknown>>> {
    const names = showsMembers(p) ? await d.directory.memberNames(groups.map((g) => g.id)) : new Map<string, string>()
    const ctx = { baseUrl: baseUrl(req, d.basePath) }
    return groups.map((g) => project(groupJson(g, ctx, names), p))
  }
  const renderOne = async (req: FastifyRequest, g: GroupRecord, p: Projection): Promise<Record<string, unknown>> => (await render(req, [g], p))[0] as Record<string, unknown>
  const NO_PROJECTION: Projection = { attributes: null, excludedAttributes: null }

  async function current (req: FastifyRequest): Promise<GroupRecord> {
    const id = idParam(req)
    const g = await d.directory.getGroup(id)
    if (g === null) throw notFound('Group', id)
    return g
  }

  const list = async (req: FastifyRequest, src: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const { params, req: lr } = listRequest(src, 'group')
    const { total, records } = await d.directory.listGroups(lr)
    return listResponse(await render(req, records, params), total, params)
  }

  app.get(base, opts, async (req, reply) => send(reply, 200, await list(req, req.query as Record<string, unknown>)))
  app.post(`${base}/.search`, opts, async (req, reply) => send(reply, 200, await list(req, (req.body ?? {}) as Record<string, unknown>)))
  app.get(`${base}/:id`, opts, async (req, reply) => {
    const g = await current(req)
    if (notModified(req, g.version)) return reply.code(304).header('etag', `W/"${g.version}"`).send()
    return send(reply, 200, await renderOne(req, g, projectionParams(req.query as Record<string, unknown>)), g.version)
  })
  app.post(base, opts, async (req, reply) => {
    const parsed = groupInput(req.body)
    const input = { ...parsed, memberIds: parsed.memberIds ?? [] }
    const g = await d.directory.createGroup(input)
    const json = await renderOne(req, g, NO_PROJECTION)
    reply.header('location', (json.meta as { location: string }).location)
    return send(reply, 201, json, g.version)
  })
  app.put(`${base}/:id`, opts, async (req, reply) => {
    const g = await current(req)
    const parsed = groupInput(req.body)
    const input = { ...parsed, memberIds: parsed.memberIds ?? [] }
    const updated = await d.directory.replaceGroup(g, input, expectedVersion(req, g.version))
    return send(reply, 200, await renderOne(req, updated, NO_PROJECTION), updated.version)
  })
  app.patch(`${base}/:id`, opts, async (req, reply) => {
    const g = await current(req)
    const updated = await d.directory.replaceGroup(g, await patchGroup(g, req.body), expectedVersion(req, g.version))
    const proj = projectionParams(req.query as Record<string, unknown>)
    // Entra asks for no member list back (excludedAttributes=members): 204 keeps large groups cheap.
    if (proj.excludedAttributes?.some((a) => a.toLowerCase() === 'members') === true) return reply.code(204).header('etag', `W/"${updated.version}"`).send()
    return send(reply, 200, await renderOne(req, updated, proj), updated.version)
  })
  app.delete(`${base}/:id`, opts, async (req, reply) => {
    const g = await current(req)
    await d.directory.deleteGroup(g, expectedVersion(req, g.version))
    return reply.code(204).send()
  })
}
