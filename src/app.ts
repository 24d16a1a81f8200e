import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Directory } from './directory/index.js'
import { scimAuth } from './http/auth.js'
import { registerErrorHandling } from './http/errors.js'
import { onClientError, onFrameworkError } from './http/framework-errors.js'
import { registerNulGuard } from './http/nul-guard.js'
import { registerDiscoveryRoutes } from './http/scim-discovery.js'
import { registerGroupRoutes } from './http/scim-groups.js'
import { registerRootSearch } from './http/scim-search.js'
import { registerUserRoutes } from './http/scim-users.js'
import type { RoleCatalogue } from './domain/role-catalogue.js'
import { registerRoleRoutes } from './http/scim-roles.js'
import type { SinchProjectView } from './scim/resources.js'
import type { UserView } from './store/directory-store.js'
import { configureScimmy } from './scim/setup.js'
import { ScimError } from './scim/errors.js'
import { lazyRequestLogger } from './observability/request-logger.js'
import { AccessLog } from './observability/access-log.js'

const MAX_JSON_DEPTH = 32

/** Iterative, so the check itself cannot overflow the stack. */
function deeperThan (value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number]
    if (typeof v !== 'object' || v === null) continue
    if (depth >= max) return true
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
  }
  return false
}

export interface AppDeps {
  logger: FastifyBaseLogger
  trustProxy?: boolean
  scimBasePath: string
  /** A function, so a rotated token list takes effect without a rebuild. */
  scimTokens: () => string[]
  directory: Directory
  /** A user's Sinch extension from its view (provisioning/extension.ts sinchExtensionOf). */
  sinchExtension?: (view: UserView) => SinchProjectView[]
  /** The roles an IdP may assign (role-catalogue.ts): `/Roles`, and the values `roles` may carry. Absent: neither. */
  roleCatalogue?: RoleCatalogue
  /**
   * The key of the user documents this app renders (scim/render-key.ts renderKey, over everything
   * `sinchExtension` was built from). Absent: a random one, so no document outlives the app.
   */
  documentKey?: string
  /** Why the process can no longer work and must be restarted, or null: `/healthz` answers 503 with it. */
  fatal?: () => string | null
}

/** Builds the HTTP app from its dependencies; opens nothing itself (tests call it directly). */
export async function buildApp (deps: AppDeps): Promise<FastifyInstance> {
  configureScimmy()
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new AccessLog(deps.logger),
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // `/Users/?filter=…` (Microsoft's reference tests) is the collection, not an empty id.
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: onFrameworkError,
    clientErrorHandler: onClientError
  })
  app.setChildLoggerFactory(lazyRequestLogger)
  // SCIM bodies arrive as application/scim+json or application/json (with or without charset).
  app.removeContentTypeParser(['text/plain', 'application/json'])
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string' }, (req, body, done) => {
    parseJson(req, body as string, (err, value) => {
      if (err !== null) { done(err); return }
      // No SCIM body nests this deep; a deeper one would only exhaust the stack of whatever walks it.
      if (deeperThan(value, MAX_JSON_DEPTH)) { done(new ScimError(400, 'invalidSyntax', `The request body nests more than ${MAX_JSON_DEPTH} levels deep`)); return }
      done(null, value)
    })
  })
  registerErrorHandling(app)
  registerNulGuard(app)
  // On close, Fastify ends the connections idle at that moment; a keep-alive connection busy with
  // an in-flight request would otherwise hold close() open until its keep-alive timeout. Its
  // answer tells the client to reconnect, and Node then ends the socket.
  let closing = false
  app.addHook('preClose', (done) => { closing = true; done() })
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close')
    done(null, payload)
  })
  app.get('/healthz', async (_req, reply) => {
    const fatal = deps.fatal?.() ?? null
    if (fatal === null) return { status: 'ok' }
    return await reply.code(503).send({ status: 'failed', detail: fatal })
  })
  const auth = scimAuth(deps.scimTokens)
  const basePath = deps.scimBasePath === '/' ? '' : deps.scimBasePath
  registerUserRoutes(app, { basePath, directory: deps.directory, auth, sinchExtension: deps.sinchExtension, roleCatalogue: deps.roleCatalogue, documentKey: deps.documentKey })
  registerGroupRoutes(app, { basePath, directory: deps.directory, auth })
  registerRootSearch(app, { basePath, directory: deps.directory, auth })
  registerDiscoveryRoutes(app, basePath, auth, { roles: deps.roleCatalogue !== undefined })
  if (deps.roleCatalogue !== undefined) registerRoleRoutes(app, { basePath, auth, catalogue: deps.roleCatalogue })
  return app
}
