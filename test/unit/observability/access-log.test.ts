import Fastify, { type FastifyBaseLogger } from 'fastify'
import { describe, expect, it } from 'vitest'
import { AccessLog } from '../../../src/observability/access-log.js'
import { lazyRequestLogger } from '../../../src/observability/request-logger.js'
import { captureLogs } from '../../support/log-capture.js'

describe('AccessLog', () => {
  it('follows the level that applies to the request: the logger\'s, or the one a route sets', async () => {
    const captured = captureLogs('warn')
    const logger: FastifyBaseLogger = captured.logger
    const app = Fastify({ loggerInstance: logger, logController: new AccessLog(logger) })
    app.setChildLoggerFactory(lazyRequestLogger)
    app.get('/loud', { logLevel: 'info' }, async () => ({ ok: true }))
    app.get('/quiet', { logLevel: 'error' }, async () => ({ ok: true }))
    app.get('/default', async () => ({ ok: true }))
    await app.inject({ method: 'GET', url: '/quiet' })
    await app.inject({ method: 'GET', url: '/default' })
    await app.inject({ method: 'GET', url: '/loud' })
    await app.close()
    const lines = captured.lines()
    expect(lines.filter((l) => l.msg === 'request completed').map((l) => l.req?.url)).toEqual(['/loud'])
  })
})
