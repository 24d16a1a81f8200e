import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import { ScimError, notFound } from '../scim/errors.js'
import { discoveryList, resourceTypes as allResourceTypes, schemas as allSchemas, serviceProviderConfig } from '../scim/discovery.js'
import { sendScimError } from './errors.js'
import { baseUrl, send } from './scim-context.js'

const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'] as const

/** Discovery (RFC 7644 §4), read-only: writes answer 405. /Me and /Bulk are not offered (501). */
export function registerDiscoveryRoutes (app: FastifyInstance, basePath: string, auth: onRequestHookHandler, offer: { roles: boolean } = { roles: false }): void {
  const opts = { onRequest: auth }
  const resourceTypes = (url: string): Array<Record<string, unknown>> => allResourceTypes(url, offer.roles)
  const schemas = (url: string): Array<Record<string, unknown>> => allSchemas(url, offer.roles)
  app.get(`${basePath}/ServiceProviderConfig`, opts, async (req, reply) => send(reply, 200, serviceProviderConfig(baseUrl(req, basePath))))
  // Not an RFC 7644 §4 path: Microsoft's reference server (SCIMReferenceCode) serves its
  // configuration here and Microsoft's Postman collection reads it; the same document, as an alias.
  app.get(`${basePath}/serviceConfiguration`, opts, async (req, reply) => send(reply, 200, serviceProviderConfig(baseUrl(req, basePath))))
  app.get(`${basePath}/ResourceTypes`, opts, async (req, reply) => send(reply, 200, discoveryList(resourceTypes(baseUrl(req, basePath)))))
  app.get(`${basePath}/ResourceTypes/:id`, opts, async (req, reply) => {
    const id = (req.params as { id: string }).id
    const found = resourceTypes(baseUrl(req, basePath)).find((r) => r.id === id)
    if (found === undefined) throw notFound('ResourceType', id)
    return send(reply, 200, found)
  })
  app.get(`${basePath}/Schemas`, opts, async (req, reply) => send(reply, 200, discoveryList(schemas(baseUrl(req, basePath)))))
  app.get(`${basePath}/Schemas/:id`, opts, async (req, reply) => {
    const id = (req.params as { id: string }).id
    const found = schemas(baseUrl(req, basePath)).find((s) => s.id === id)
    if (found === undefined) throw notFound('Schema', id)
    return send(reply, 200, found)
  })
  for (const path of ['/ServiceProviderConfig', '/serviceConfiguration', '/ResourceTypes', '/ResourceTypes/:id', '/Schemas', '/Schemas/:id']) {
    app.route({ method: [...WRITES], url: `${basePath}${path}`, onRequest: auth, handler: async (_req, reply) => sendScimError(reply.header('allow', 'GET'), new ScimError(405, null, 'Discovery endpoints are read-only')) })
  }
  // RFC 7231 §6.5.5: a known resource with a method it does not offer is 405 with Allow, not 404.
  for (const resource of ['/Users', '/Groups']) {
    app.route({ method: ['PUT', 'PATCH', 'DELETE'], url: `${basePath}${resource}`, onRequest: auth, handler: async (_req, reply) => sendScimError(reply.header('allow', 'GET, POST'), new ScimError(405, null, `${resource} takes GET and POST; PUT, PATCH and DELETE go to ${resource}/{id}`)) })
    app.route({ method: ['POST'], url: `${basePath}${resource}/:id`, onRequest: auth, handler: async (_req, reply) => sendScimError(reply.header('allow', 'GET, PUT, PATCH, DELETE'), new ScimError(405, null, `POST goes to ${resource}; ${resource}/{id} takes GET, PUT, PATCH and DELETE`)) })
  }
  for (const path of ['/Me', '/Bulk']) {
    app.route({ method: ['GET', ...WRITES], url: `${basePath}${path}`, onRequest: auth, handler: async (_req, reply) => sendScimError(reply, new ScimError(501, null, `${path} is not supported (see /ServiceProviderConfig)`)) })
  }
}
