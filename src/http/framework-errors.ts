import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { ScimError } from '../scim/errors.js'
import { sendScimError } from './errors.js'

/**
 * Errors Fastify raises before routing (a bad percent-escape, a path parameter over its length):
 * SCIM errors like every other answer. An id longer than any the bridge issues cannot exist.
 */
export function onFrameworkError (err: FastifyError, _req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendScimError(reply, new ScimError(404, null, 'No such resource: the id is longer than any this bridge issues'))
  return sendScimError(reply, new ScimError(400, null, 'The URL is not valid (a bad percent-escape?)'))
}

/**
 * Malformed HTTP (bad Content-Length, headers over the size limit, a bad chunk) is answered by the
 * HTTP parser, before Fastify: a SCIM error body written on the socket, which then closes.
 */
export function onClientError (err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
  const detail = status === 408 ? 'The request took too long to arrive' : status === 431 ? 'The request headers (or the URL) are too large' : 'The request is not valid HTTP'
  const body = JSON.stringify(new ScimError(status, null, detail).body())
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/scim+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy()
}
