import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import { ScimError } from '../scim/errors.js'
import { bearerOf } from './ops-routes.js'
import { createTokenCheck } from './secret-match.js'

/**
 * Bearer auth for the SCIM routes: any of the configured tokens (rotation), compared in constant
 * time; a 401 carries a SCIM error body and WWW-Authenticate (Entra quarantines on bare 401s).
 * `tokens` is asked on every request, so a rotated or revoked token takes effect at once.
 */
export function scimAuth (tokens: () => string[]): onRequestHookHandler {
  const valid = createTokenCheck(tokens)
  // Used as onRequest: a request without a valid token is refused before its body is read, so
  // an anonymous client gets 401, never 400 or 413 (and its body is never parsed).
  return async (req: FastifyRequest): Promise<void> => {
    const given = bearerOf(req)
    if (given === null) throw new ScimError(401, null, 'Authorization: Bearer <token> is required')
    if (!valid(given)) throw new ScimError(401, null, 'The bearer token is not valid')
  }
}
