import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify'
import { pino } from 'pino'

/**
 * One line per request, written when it ends: `request completed` at info with the request id,
 * the request (method, url, host, remote address and port), the status and the time taken, or
 * `request errored` at error when the response itself failed. Fastify writes two lines per
 * request by default, the first (`incoming request`) before anything is known; that one is kept
 * at debug, for a request that never ends.
 *
 * The completed line is written without redaction: it holds only the fields named here, none a
 * header or a body, and redaction walked every object of it (about 7 µs of the 11 µs a line
 * costs). Every other line, the errored one included, is redacted as before. bench/request-log:
 * logging a request at info 23–30 µs with Fastify's two lines, 9–13 µs with this one.
 */
export class AccessLog extends LogController {
  readonly #lines: FastifyBaseLogger

  constructor (logger: FastifyBaseLogger) {
    super()
    this.#lines = logger.child({}, { redact: { paths: [] } })
  }

  override incomingRequest (request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
    if (error !== null && error !== undefined) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored')
      return
    }
    // The request's own logger holds the level that applies (a route may set its own).
    if (!infoEnabled(request.log)) return
    if (request.log.level !== this.#lines.level) {
      // A route logging below the app's level: only the request's logger would write the line.
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
      return
    }
    const version = request.headers['accept-version']
    const req = { method: request.method, url: request.url, ...(version === undefined ? {} : { version }), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort }
    this.#lines.info({ [this.requestIdLogLabel]: request.id, req, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed')
  }
}

function infoEnabled (logger: FastifyBaseLogger): boolean {
  const value = pino.levels.values[logger.level]
  return value !== undefined && value <= (pino.levels.values.info ?? 30)
}
