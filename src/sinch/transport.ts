import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import { DEFAULT_RETRY, fullJitter, retryAfterMs, sleep, type RetryPolicy } from './backoff.js'
import { SinchError, parseErrorBody, type SinchOperation } from './errors.js'
import type { AdaptiveLimiter } from './limiter.js'
import type { TokenCache } from './token-cache.js'

export type CallOutcome = 'ok' | 'rate_limited' | 'transient' | 'permanent' | 'auth' | 'not_found' | 'conflict'
export interface CallEvent { operation: SinchOperation, outcome: CallOutcome, status: number | null, durationMs: number }

export interface TransportOptions {
  apiUrl: string
  dispatcher: Dispatcher
  /** Sinch limits per key and project, so each project gets its own limiter. */
  limiterFor: (projectId: string | undefined) => AdaptiveLimiter
  auth: { mode: 'oauth', tokens: TokenCache } | { mode: 'basic', header: string }
  retry?: Partial<RetryPolicy>
  logger: Logger
  now: () => number
  random: () => number
  onCall?: (e: CallEvent) => void
}

export interface Answer { status: number, text: string }

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504])

/**
 * One Sinch call with everything around it: the limiter, auth (one refresh-and-retry on 401),
 * full-jitter backoff on 429/5xx/network errors within attempts and a deadline. Statuses in
 * `pass` (404, 409 …) are handed back to the operation, which knows what they mean.
 */
export class Transport {
  private readonly policy: RetryPolicy
  readonly stats = { requests: 0, rateLimited: 0, retries: 0 }
  private readonly base: URL

  constructor (private readonly o: TransportOptions) {
    this.policy = { ...DEFAULT_RETRY, ...o.retry }
    this.base = new URL(o.apiUrl)
  }

  async call (operation: SinchOperation, method: Dispatcher.HttpMethod, path: string, body: unknown, projectId: string | undefined, pass: number[] = []): Promise<Answer> {
    const started = this.o.now()
    let refreshed = false
    const log = this.o.logger
    for (let attempt = 0; ; attempt++) {
      const limiter = this.o.limiterFor(projectId)
      const release = await limiter.acquire()
      const t0 = this.o.now()
      let status: number | null = null
      let text = ''
      let headers: Record<string, string | string[] | undefined> = {}
      let token: string | null = null
      let failure: Error | null = null
      try {
        token = this.o.auth.mode === 'oauth' ? await this.o.auth.tokens.get() : null
        const res = await this.o.dispatcher.request({
          origin: this.base.origin,
          path: `${this.base.pathname.replace(/\/$/, '')}${path}`,
          method,
          headers: {
            authorization: token === null ? (this.o.auth as { header: string }).header : `Bearer ${token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' })
          },
          body: body === undefined ? null : JSON.stringify(body)
        })
        status = res.statusCode
        headers = res.headers
        text = await res.body.text()
      } catch (err) {
        failure = err as Error
      } finally {
        release()
      }
      this.stats.requests++
      const ms = this.o.now() - t0
      if (failure instanceof SinchError && failure.kind === 'auth') {
        this.emit(operation, 'auth', null, ms)
        throw failure
      }
      if (status !== null && status < 300) {
        limiter.onSuccess()
        this.emit(operation, 'ok', status, ms)
        log.debug({ operation, projectId, status, attempt, ms }, 'sinch call')
        return { status, text }
      }
      if (status !== null && pass.includes(status)) {
        limiter.onSuccess()
        this.emit(operation, status === 404 ? 'not_found' : status === 409 ? 'conflict' : 'permanent', status, ms)
        return { status, text }
      }
      if (status === 401) {
        this.emit(operation, 'auth', status, ms)
        if (this.o.auth.mode === 'oauth' && !refreshed && token !== null) {
          refreshed = true
          await this.o.auth.tokens.invalidate(token)
          attempt--
          continue
        }
        throw new SinchError('SINCH_AUTH', `Sinch credentials rejected (401 on ${operation}${refreshed ? ' after a token refresh' : ''})`, operation, 401, [], projectId)
      }
      const retryable = status === null || RETRYABLE.has(status)
      if (!retryable) {
        const parsed = parseErrorBody(text)
        this.emit(operation, 'permanent', status, ms)
        throw new SinchError('SINCH_PERMANENT', `Sinch rejected ${operation} (${status}${parsed.message === null ? '' : `: ${parsed.message}`})`, operation, status, parsed.fieldViolations, projectId)
      }
      if (status === 429) {
        this.stats.rateLimited++
        limiter.onRateLimited()
      }
      this.emit(operation, status === 429 ? 'rate_limited' : 'transient', status, ms)
      const wait = retryAfterMs(headers['retry-after'], this.o.now()) ?? fullJitter(attempt, this.policy, this.o.random)
      const what = status === null ? (failure?.message ?? 'network error') : `status ${status}`
      if (attempt + 1 >= this.policy.maxAttempts || this.o.now() - started + wait > this.policy.deadlineMs) {
        log.warn({ operation, projectId, status, attempts: attempt + 1 }, 'sinch call gave up')
        throw new SinchError('SINCH_TRANSIENT', `Sinch ${operation} failed after ${attempt + 1} attempt(s): ${what}`, operation, status, [], projectId, { cause: failure ?? undefined })
      }
      this.stats.retries++
      log.debug({ operation, projectId, status, attempt, waitMs: wait }, 'sinch call retrying')
      await sleep(wait)
    }
  }

  private emit (operation: SinchOperation, outcome: CallOutcome, status: number | null, durationMs: number): void {
    this.o.onCall?.({ operation, outcome, status, durationMs })
  }
}
