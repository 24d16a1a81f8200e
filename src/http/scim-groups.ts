import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Directory } from '../directory/index.js'
import type { ProvisioningHook } from '../provisioning/hook.js'
import { badRequest, notFound } from '../scim/errors.js'
import { listResponse, project, projectionParams } from '../scim/list.js'
import { patchGroup } from '../scim/patch.js'
import { groupInput, groupJson } from '../scim/resources.js'
import type { GroupRecord } from '../store/types.js'
import type { GroupInput } from '../store/directory-store.js'
import { baseUrl, expectedVersion, idParam, listRequest, notModified, send } from './scim-context.js'

export interface GroupRouteDeps {
  basePath: string
  directory: Directory
  auth: onRequestHookHandler
  provisioning?: ProvisioningHook | undefined
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

  /** Members being added must exist; those already in the group did when they joined (a deleted user leaves its groups). */
  async function checkMembers (input: GroupInput, already: string[] = []): Promise<void> {
    const had = new Set(already)
    const added = input.memberIds.filter((id) => !had.has(id))
    if (added.length === 0) return
    const known = await d.directory.existingUserIds(added)
    const missing = added.filter((id) => !known.has(id))
    if (missing.length > 0) throw badRequest('invalidValue', `Unknown member id(s): ${missing.slice(0, 5).join(', ')}`)
  }

  /** Group changes re-plan only the affected users; Sinch rejections are logged, the group stands. */
  async function provision (before: string[], after: GroupRecord, renamed: boolean): Promise<void> {
    const a = new Set(after.memberIds)
    const b = new Set(before)
    const affected = renamed ? [...new Set([...before, ...after.memberIds])] : [...before.filter((x) => !a.has(x)), ...after.memberIds.filter((x) => !b.has(x))]
    if (affected.length === 0 || d.provisioning === undefined) return
    const rejections = await d.provisioning.applyNow(affected)
    if (rejections.length > 0) app.log.warn({ groupId: after.id, rejections: rejections.length }, 'Sinch rejected changes caused by a group write')
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
    await checkMembers(input)
    const g = await d.directory.createGroup(input)
    await provision([], g, false)
    const json = await renderOne(req, g, NO_PROJECTION)
    reply.header('location', (json.meta as { location: string }).location)
    return send(reply, 201, json, g.version)
  })
  app.put(`${base}/:id`, opts, async (req, reply) => {
    const g = await current(req)
    const parsed = groupInput(req.body)
    const input = { ...parsed, memberIds: parsed.memberIds ?? [] }
    await checkMembers(input, g.memberIds)
    const updated = await d.directory.replaceGroup(g.id, input, expectedVersion(req, g.version))
    await provision(g.memberIds, updated, g.displayName !== updated.displayName || g.externalId !== updated.externalId)
    return send(reply, 200, await renderOne(req, updated, NO_PROJECTION), updated.version)
  })
  app.patch(`${base}/:id`, opts, async (req, reply) => {
    const g = await current(req)
    const input = await patchGroup(g, req.body)
    await checkMembers(input, g.memberIds)
    const updated = await d.directory.replaceGroup(g.id, input, expectedVersion(req, g.version))
    await provision(g.memberIds, updated, g.displayName !== updated.displayName || g.externalId !== updated.externalId)
    const proj = projectionParams(req.query as Record<string, unknown>)
    // Entra asks for no member list back (excludedAttributes=members): 204 keeps large groups cheap.
    if (proj.excludedAttributes?.some((a) => a.toLowerCase() === 'members') === true) return reply.code(204).header('etag', `W/"${updated.version}"`).send()
    return send(reply, 200, await renderOne(req, updated, proj), updated.version)
  })
  app.delete(`${base}/:id`, opts, async (req, reply) => {
    const g = await current(req)
    await d.directory.deleteGroup(g.id, expectedVersion(req, g.version))
    if (d.provisioning !== undefined && g.memberIds.length > 0) await d.provisioning.applyNow(g.memberIds)
    return reply.code(204).send()
  })
}
