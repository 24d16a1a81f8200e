import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'

export interface AppDeps {
  logger: FastifyBaseLogger
  trustProxy?: boolean
}

/** Builds the HTTP app from its dependencies; opens nothing itself (tests call it directly). */
export async function buildApp (deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 72_000,
    disableRequestLogging: false
  })
  app.get('/healthz', async () => ({ status: 'ok' }))
  return app
}
