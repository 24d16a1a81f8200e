import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import { DEFAULT_RETRY, fullJitter, retryAfterMs, sleep, type RetryPolicy } from './backoff.js'
import { SinchError, codeForStatus, parseErrorBody, scrub, type SinchOperation } from './errors.js'
import { LimiterClosedError, type AdaptiveLimiter } from './limiter.js'
import type { CallFailureKind, CallResult } from './circuit.js'
import type { RetryBudget } from './retry-budget.js'
import type { TokenCache } from './token-cache.js'

export type CallOutcome = 'ok' | 'rate_limited' | 'transient' | 'permanent' | 'auth' | 'not_found' | 'conflict'
export interface CallEvent { operation: SinchOperation, outcome: CallOutcome, status: number | null, durationMs: number }

/** One HTTP exchange as doctor --record keeps it (redacted by transcript.ts before it is written). */
export interface Exchange { method: string, path: string, body: unknown, status: number, headers: Record<string, string | string[] | undefined>, text: string }

export interface TransportOptions {
  apiUrl: string
  dispatcher: Dispatcher
  /** Sinch limits per key and project, so each project gets its own limiter. */
  limiterFor: (projectId: string | undefined) => AdaptiveLimiter
  auth: { mode: 'oauth', tokens: TokenCache } | { mode: 'basic', header: string }
  /** Never to appear in a message: the key secret (the token is read from the cache). */
  secrets: string[]
  retry?: Partial<RetryPolicy>
  /** Shared by every call of the client: failures are retried only while it lasts. */
  retryBudget?: RetryBudget
  logger: Logger
  now: () => number
  random: () => number
  /** Aborted by close(): backoff sleeps end at once and no new attempt starts. */
  signal: AbortSignal
  onCall?: (e: CallEvent) => void
  /** Once per call, after its retries: how it ended (the Sinch circuit counts these). */
  onResult?: (r: CallResult) => void
  onExchange?: (x: Exchange) => void
}

export interface Answer { status: number, text: string, headers: Record<string, string | string[] | undefined> }

/** What one attempt saw: an answer, or the failure that stood in for it. */
interface Attempt {
  limiter: AdaptiveLimiter
  sentAt: number
  status: number | null
  text: string
  headers: Record<string, string | string[] | undefined>
  token: string | null
  failure: Error | null
  ms: number
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])

/** The network error code somewhere down a failure's cause chain (the final error wraps what undici threw). */
function networkCode (err: unknown): string | null {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && !code.startsWith('SINCH_')) return code
  }
  return null
}

/** Whether a final error means Sinch did not do the work (and how), or null: Sinch answered, just not yes. */
export function failureKind (err: SinchError): CallFailureKind | null {
  if (err.code === 'SINCH_AUTH') return 'auth'
  if (err.code !== 'SINCH_TRANSIENT') return null
  if (err.status === 429) return 'rate_limit_exhausted'
  if (err.status === 408) return 'timeout'
  if (err.status !== null) return 'server_error'
  const code = networkCode(err)
  return code !== null && TIMEOUT_CODES.has(code) ? 'timeout' : 'connection'
}

/** shared/sinch-api.md: 429 and 5xx gateways are retried, and so are 408 and 425 (RFC 9110, 8470). */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504])

/**
 * One Sinch call with everything around it: the limiter, auth (one refresh-and-retry on 401),
 * full-jitter backoff on 429/5xx/network errors within attempts and a deadline. Every method is
 * retried, POST included: an invite that was applied before its answer was lost meets 409 on the
 * retry, and the caller adopts (shared/sinch-api.md, "A response can be lost"). Statuses in
 * `pass` (404, 409 …) are handed back to the operation, which knows what they mean.
 */
export class Transport {
  private readonly policy: RetryPolicy
  readonly stats = { requests: 0, rateLimited: 0, retries: 0, retriesRefused: 0 }
  private readonly base: URL

  constructor (private readonly o: TransportOptions) {
    this.policy = { ...DEFAULT_RETRY, ...o.retry }
    this.base = new URL(o.apiUrl)
  }

  async call (operation: SinchOperation, method: Dispatcher.HttpMethod, path: string, body: unknown, projectId: string | undefined, pass: number[] = []): Promise<Answer> {
    try {
      const answer = await this.attempts(operation, method, path, body, projectId, pass)
      this.o.onResult?.({ operation, ok: true })
      return answer
    } catch (err) {
      // A call cut short by close() says nothing about Sinch.
      if (err instanceof SinchError && !this.o.signal.aborted) {
        const kind = failureKind(err)
        this.o.onResult?.(kind === null ? { operation, ok: true } : { operation, ok: false, kind, status: err.status })
      }
      throw err
    }
  }

  private async attempts (operation: SinchOperation, method: Dispatcher.HttpMethod, path: string, body: unknown, projectId: string | undefined, pass: number[]): Promise<Answer> {
    const started = this.o.now()
    let refreshed = false
    this.o.retryBudget?.earn()
    for (let attempt = 0; ; attempt++) {
      const a = await this.attempt(operation, method, path, body, projectId, attempt, started)
      const { status } = a
      const fields = { operation, projectId, status, attempt, durationMs: a.ms }
      if (status !== null && (status < 300 || pass.includes(status))) {
        a.limiter.onSuccess()
        this.emit(operation, status < 300 ? 'ok' : status === 404 ? 'not_found' : status === 409 ? 'conflict' : 'permanent', status, a.ms)
        this.o.logger.debug(fields, 'sinch call')
        return { status, text: a.text, headers: a.headers }
      }
      if (status === 401) {
        this.emit(operation, 'auth', status, a.ms)
        if (this.o.auth.mode === 'oauth' && !refreshed && a.token !== null) {
          // An expired or revoked token: refresh once (one refresh in flight for all callers), retry once.
          this.o.logger.info(fields, 'sinch answered 401; refreshing the token once')
          refreshed = true
          await this.refresh(this.o.auth.tokens, a.token, operation, projectId, attempt, started)
          attempt--
          continue
        }
        const err = new SinchError({ code: 'SINCH_AUTH', message: `Sinch credentials rejected (401 on ${operation}${refreshed ? ' after a token refresh' : ''}); check SINCH_KEY_ID and SINCH_KEY_SECRET`, operation, status: 401, projectId })
        throw this.final(err, operation, projectId, attempt, started)
      }
      if (status !== null && !RETRYABLE.has(status)) throw this.final(this.rejected(a, status, operation, projectId), operation, projectId, attempt, started)
      // Retryable: 429, 408/425, 5xx, a network error or a token endpoint that is down.
      await this.backOff(a, fields, started)
    }
  }

  /** One exchange under the project's limiter, with the token it needs; network failures come back in `failure`. */
  private async attempt (operation: SinchOperation, method: Dispatcher.HttpMethod, path: string, body: unknown, projectId: string | undefined, attempt: number, started: number): Promise<Attempt> {
    if (this.o.signal.aborted) throw this.closedError(operation, projectId)
    const limiter = this.o.limiterFor(projectId)
    let release: () => void
    try {
      release = await limiter.acquire()
    } catch (err) {
      if (err instanceof LimiterClosedError) throw this.closedError(operation, projectId)
      throw err
    }
    const t0 = this.o.now()
    const a: Attempt = { limiter, sentAt: Date.now(), status: null, text: '', headers: {}, token: null, failure: null, ms: 0 }
    try {
      a.token = this.o.auth.mode === 'oauth' ? await this.o.auth.tokens.get() : null
      const res = await this.o.dispatcher.request({
        origin: this.base.origin,
        path: `${this.base.pathname.replace(/\/$/, '')}${path}`,
        method,
        headers: {
          authorization: a.token === null ? (this.o.auth as { header: string }).header : `Bearer ${a.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' })
        },
        body: body === undefined ? null : JSON.stringify(body),
        signal: this.o.signal
      })
      a.status = res.statusCode
      a.headers = res.headers
      a.text = await res.body.text()
      this.o.onExchange?.({ method, path, body: body ?? null, status: a.status, headers: a.headers, text: a.text })
    } catch (err) {
      a.failure = err as Error
    } finally {
      release()
    }
    if (a.failure instanceof SinchError && a.failure.operation === 'token') {
      // The token endpoint itself failed: rejected credentials end here, the rest is retried.
      this.emit(operation, a.failure.kind === 'auth' ? 'auth' : 'transient', a.failure.status, this.o.now() - t0)
      if (a.failure.kind === 'auth') throw this.final(a.failure, operation, projectId, attempt, started)
    } else {
      this.stats.requests++
    }
    if (this.o.signal.aborted) throw this.closedError(operation, projectId)
    a.ms = this.o.now() - t0
    return a
  }

  private async refresh (tokens: TokenCache, token: string, operation: SinchOperation, projectId: string | undefined, attempt: number, started: number): Promise<void> {
    try {
      await tokens.invalidate(token)
    } catch (err) {
      if (err instanceof SinchError && err.kind === 'auth') throw this.final(err, operation, projectId, attempt, started)
    }
  }

  /** A final status that is neither success, a pass-through nor retryable. */
  private rejected (a: Attempt, status: number, operation: SinchOperation, projectId: string | undefined): SinchError {
    const parsed = parseErrorBody(a.text)
    const code = codeForStatus(status)
    this.emit(operation, code === 'SINCH_NOT_FOUND' ? 'not_found' : code === 'SINCH_CONFLICT' ? 'conflict' : 'permanent', status, a.ms)
    const detail = parsed.message === null ? (parsed.status === null ? '' : `: ${parsed.status}`) : `: ${this.clean(parsed.message)}`
    const where = projectId === undefined ? '' : ` in project ${projectId}`
    return new SinchError({ code, message: `Sinch rejected ${operation}${where} (${status}${detail})`, operation, status, fieldViolations: parsed.fieldViolations.map((v) => ({ field: v.field, description: this.clean(v.description) })), projectId })
  }

  /** Waits before the next attempt, or throws when attempts, the deadline or the retry budget say stop. */
  private async backOff (a: Attempt, fields: { operation: SinchOperation, projectId: string | undefined, status: number | null, attempt: number }, started: number): Promise<void> {
    const { operation, projectId, status, attempt } = fields
    const { failure } = a
    if (status === 429) {
      this.stats.rateLimited++
      a.limiter.onRateLimited(a.sentAt)
    }
    if (!(failure instanceof SinchError)) this.emit(operation, status === 429 ? 'rate_limited' : 'transient', status, a.ms)
    const wait = retryAfterMs(a.headers['retry-after'], this.o.now()) ?? fullJitter(attempt, this.policy, this.o.random)
    const what = status !== null ? `status ${status}` : failure instanceof SinchError ? failure.message : this.networkReason(failure)
    if (attempt + 1 >= this.policy.maxAttempts || this.o.now() - started + wait > this.policy.deadlineMs) {
      const err = new SinchError({ code: 'SINCH_TRANSIENT', message: `Sinch ${operation} failed after ${attempt + 1} attempt(s): ${what}`, operation, status, projectId, cause: failure ?? undefined })
      throw this.final(err, operation, projectId, attempt, started)
    }
    if (status !== 429 && this.o.retryBudget?.spend() === false) {
      // Sinch is failing for many calls at once: hand this one back (the queue retries it later).
      this.stats.retriesRefused++
      const err = new SinchError({ code: 'SINCH_TRANSIENT', message: `Sinch ${operation} failed (${what}); not retried now: the client's retry budget is spent`, operation, status, projectId, cause: failure ?? undefined })
      throw this.final(err, operation, projectId, attempt, started)
    }
    this.stats.retries++
    this.o.logger.debug({ ...fields, waitMs: wait, reason: what }, 'sinch call retrying')
    try {
      await sleep(wait, this.o.signal)
    } catch {
      throw this.closedError(operation, projectId)
    }
  }

  /** Logs the failure once (ids, status, attempts; never a header or a secret) and returns it. */
  private final (cause: SinchError, operation: SinchOperation, projectId: string | undefined, attempt: number, started: number): SinchError {
    // A token failure surfaces as a failure of the call that needed the token.
    const err = cause.operation === operation ? cause : new SinchError({ code: cause.code, message: cause.message, operation, status: cause.status, fieldViolations: cause.fieldViolations, projectId, cause })
    const level = err.code === 'SINCH_NOT_FOUND' || err.code === 'SINCH_CONFLICT' ? 'debug' : 'warn'
    this.o.logger[level]({ operation, projectId, status: err.status, code: err.code, attempts: attempt + 1, durationMs: this.o.now() - started }, 'sinch call failed')
    return err
  }

  private closedError (operation: SinchOperation, projectId: string | undefined): SinchError {
    return new SinchError({ code: 'SINCH_TRANSIENT', message: 'the Sinch client is closed', operation, status: null, projectId })
  }

  private networkReason (failure: Error | null): string {
    if (failure === null) return 'network error'
    const code = (failure as { code?: unknown }).code
    return this.clean(`${typeof code === 'string' ? `${code} ` : ''}${failure.message}`)
  }

  /** Text from the server or the network goes through here before it enters a message. */
  private clean (text: string): string {
    const token = this.o.auth.mode === 'oauth' ? this.o.auth.tokens.current : null
    return scrub(text, [...this.o.secrets, token])
  }

  private emit (operation: SinchOperation, outcome: CallOutcome, status: number | null, durationMs: number): void {
    this.o.onCall?.({ operation, outcome, status, durationMs })
  }
}
