import type { FastifyReply } from 'fastify'
import type { Knobs } from './options.js'

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED'
}

export interface ErrorDetail { '@type': string, [k: string]: unknown }

/** Renders an error in the shape the knob asks for: Google style, Problem+JSON, plain text or empty. */
export function sendError (reply: FastifyReply, shape: Knobs['errorShape'], status: number, message: string, details: ErrorDetail[] = []): FastifyReply {
  reply.code(status)
  if (status === 429) {
    // Sinch's edge answers 429 with an empty body and no Retry-After.
    return reply.header('x-envoy-ratelimited', 'true').send('')
  }
  switch (shape) {
    case 'google':
      return reply.type('application/json').send({ error: { code: status, message, status: STATUS_TEXT[status] ?? 'UNKNOWN', details } })
    case 'problem':
      return reply.type('application/problem+json').send({ type: 'about:blank', title: STATUS_TEXT[status] ?? 'Error', status, detail: message })
    case 'text':
      return reply.type('text/plain').send(`${status} ${message}`)
    case 'empty':
      return reply.send('')
  }
}

export function fieldViolation (field: string, description: string): ErrorDetail {
  return { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description }] }
}
