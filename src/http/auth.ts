import fastifyAuth from '@fastify/auth'
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify'
import { ScimError } from '../scim/errors.js'
import { bearerOf, matchesSecret } from './ops-routes.js'

/**
 * Bearer auth for the SCIM routes: any of the configured tokens (rotation), compared in constant
 * time; a 401 carries a SCIM error body and WWW-Authenticate (Entra quarantines on bare 401s).
 */
export async function registerScimAuth (app: FastifyInstance, tokens: () => string[]): Promise<preHandlerHookHandler> {
  await app.register(fastifyAuth)
  const verify = async (req: FastifyRequest): Promise<void> => {
    const given = bearerOf(req)
    if (given === null) throw new ScimError(401, null, 'Authorization: Bearer <token> is required')
    if (!matchesSecret(given, tokens())) throw new ScimError(401, null, 'The bearer token is not valid')
  }
  return app.auth([verify])
}
