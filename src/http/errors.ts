import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { SinchRejectedError, UnknownMembersError } from '../directory/index.js'
import { ScimError } from '../scim/errors.js'
import { StoreConflictError, StoreNotFoundError, StoreVersionError } from '../store/directory-store.js'
import { StoreValueTooLongError } from '../store/limits.js'
import { StoreUnavailableError } from '../store/unavailable.js'

const SCIM_JSON = 'application/scim+json; charset=utf-8'
/** Seconds an IdP is asked to wait before retrying a 503: a PostgreSQL restart or failover takes a few. */
export const RETRY_AFTER_SECONDS = 5

/** Every known failure as an RFC 7644 §3.12 error; anything else is a generic 500 with the request id. */
export function toScimError (err: unknown, req: FastifyRequest): ScimError {
  if (err instanceof ScimError) return err
  if (err instanceof StoreConflictError) return new ScimError(409, 'uniqueness', `${err.attribute} is already in use`)
  if (err instanceof StoreValueTooLongError) return new ScimError(400, 'invalidValue', err.message)
  if (err instanceof StoreNotFoundError) return new ScimError(404, null, err.message)
  if (err instanceof UnknownMembersError || err instanceof SinchRejectedError) return new ScimError(400, 'invalidValue', err.message)
  // RFC 7644 §3.12: 503 "service unavailable"; the IdP retries (Okta and Entra both retry 5xx).
  if (err instanceof StoreUnavailableError) return new ScimError(503, null, 'The directory database is not answering; retry later')
  if (err instanceof StoreVersionError) return new ScimError(412, null, 'The resource has changed: its version does not match If-Match')
  const e = err as FastifyError
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ScimError(413, null, 'The request body is larger than 1 MB')
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ScimError(415, null, 'Send application/scim+json or application/json')
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e instanceof SyntaxError || (e.statusCode === 400 && typeof e.code === 'string' && e.code.startsWith('FST_ERR_CTP'))) {
    return new ScimError(400, 'invalidSyntax', 'The request body is not valid JSON')
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new ScimError(e.statusCode, null, 'The request could not be processed')
  return new ScimError(500, null, `Internal error (request ${req.id}); the details are in the bridge's log`)
}

export function sendScimError (reply: FastifyReply, err: ScimError): FastifyReply {
  // A 401 is sent before the body is read (auth runs onRequest): closing the connection drops the
  // unread body instead of leaving a half-read request on a keep-alive socket.
  if (err.status === 401) reply.header('www-authenticate', 'Bearer realm="sinch-scim-bridge"').header('connection', 'close')
  // RFC 9110 §10.2.3: how long to wait before trying again.
  if (err.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS))
  return reply.code(err.status).type(SCIM_JSON).send(err.body())
}

export function registerErrorHandling (app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const scim = toScimError(err, req)
    if (err instanceof StoreUnavailableError) req.log.warn({ err: err.cause }, 'request refused: the database is not answering')
    else if (scim.status >= 500) req.log.error({ err }, 'request failed')
    else req.log.info({ status: scim.status, scimType: scim.scimType, detail: scim.detail }, 'request refused')
    return sendScimError(reply, scim)
  })
  app.setNotFoundHandler((req, reply) => sendScimError(reply, new ScimError(404, null, `No endpoint ${req.method} ${req.url.split('?')[0] ?? ''}`)))
}

export { SCIM_JSON }
