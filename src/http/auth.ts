import fastifyAuth from '@fastify/auth'
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import { ScimError } from '../scim/errors.js'
import { bearerOf, matchesSecret } from './ops-routes.js'

/**
 * Bearer auth for the SCIM routes: any of the configured tokens (rotation), compared in constant
 * time; a 401 carries a SCIM error body and WWW-Authenticate (Entra quarantines on bare 401s).
 */
export async function registerScimAuth (app: FastifyInstance, tokens: () => string[]): Promise<onRequestHookHandler> {
  await app.register(fastifyAuth)
  const verify = async (req: FastifyRequest): Promise<void> => {
    const given = bearerOf(req)
    if (given === null) throw new ScimError(401, null, 'Authorization: Bearer <token> is required')
    if (!matchesSecret(given, tokens())) throw new ScimError(401, null, 'The bearer token is not valid')
  }
  // Used as onRequest: a request without a valid token is refused before its body is read, so
  // an anonymous client gets 401, never 400 or 413 (and its body is never parsed).
  return app.auth([verify]) as unknown as onRequestHookHandler
}
