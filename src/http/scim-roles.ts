import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { RoleCatalogue } from '../domain/role-catalogue.js'
import { ScimError, notFound } from '../scim/errors.js'
import { listParams, listResponse, project, projectionParams } from '../scim/list.js'
import { listRoles, roleJson } from '../scim/role-resource.js'
import { sendScimError } from './errors.js'
import { baseUrl, send } from './scim-context.js'

export interface RoleRouteDeps { basePath: string, auth: onRequestHookHandler, catalogue: RoleCatalogue }

/**
 * `/Roles`: the catalogue as SCIM resources, for Okta's entitlement discovery (Okta, "Build a SCIM
 * 2.0 server with entitlements"). Read-only: roles come from configuration, so writes answer 405.
 */
export function registerRoleRoutes (app: FastifyInstance, d: RoleRouteDeps): void {
  const base = `${d.basePath}/Roles`
  const opts = { onRequest: d.auth }
  app.get(base, opts, async (req, reply) => {
    const params = listParams(req.query as Record<string, unknown>)
    const { total, resources } = listRoles(d.catalogue, params, baseUrl(req, d.basePath))
    return send(reply, 200, listResponse(resources.map((r) => project(r, params)), total, params))
  })
  app.get(`${base}/:id`, opts, async (req, reply) => {
    const id = (req.params as { id: string }).id
    // Only an exact value is an id (RFC 7643 §3.1: ids are caseExact); resolve() is for what users carry.
    const found = d.catalogue.roles.find((r) => r.value === id)
    if (found === undefined) throw notFound('Role', id)
    return send(reply, 200, project(roleJson(found, baseUrl(req, d.basePath)), projectionParams(req.query as Record<string, unknown>)))
  })
  const readOnly = async (_req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
    sendScimError(reply.header('allow', 'GET'), new ScimError(405, null, 'Roles come from the bridge\'s configuration and are read-only'))
  app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: base, onRequest: d.auth, handler: readOnly })
  app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: `${base}/:id`, onRequest: d.auth, handler: readOnly })
}
