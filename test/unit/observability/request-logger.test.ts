import { describe, expect, it } from 'vitest'
import { lazyRequestLogger } from '../../../src/observability/request-logger.js'
import { captureLogs as capture } from '../../support/log-capture.js'

describe('the lazy request logger', () => {
  it('logs what the child would, with the request id and redaction, only at enabled levels', () => {
    const { logger, lines } = capture('warn')
    const log = lazyRequestLogger(logger, { reqId: 'req-1' }, {})
    log.info('not shown')
    log.debug('not shown')
    log.warn({ authorization: 'Bearer secret-token' }, 'shown')
    log.error('also shown')
    expect(lines().map((l) => [l.msg, l.reqId, l.level])).toEqual([['shown', 'req-1', 40], ['also shown', 'req-1', 50]])
    expect(JSON.stringify(lines())).not.toContain('secret-token')
  })

  it('a level set on the request logger and its own children hold like a pino child', () => {
    const { logger, lines } = capture('info')
    const log = lazyRequestLogger(logger, { reqId: 'req-2' }, {})
    expect(log.level).toBe('info')
    log.child({ part: 'x' }).info('from a child')
    log.level = 'error'
    log.warn('dropped')
    expect(lines().map((l) => [l.msg, l.reqId, l.part])).toEqual([['from a child', 'req-2', 'x']])
  })
})
