import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import { SinchError, parseErrorBody } from './errors.js'
import { TokenResponseSchema } from './schemas.js'

export interface TokenCacheOptions {
  authUrl: string
  keyId: string
  keySecret: string
  dispatcher: Dispatcher
  now: () => number
  /** Refresh this long before expiry (default 60 s), or at 80 % of the lifetime when that comes sooner; plus 1 s. */
  refreshAheadMs?: number
  logger?: Logger
  /** Aborted by the client's close(): a token fetch in flight ends at once, so shutdown keeps its limit. */
  signal?: AbortSignal
  onFetched?: (durationMs: number, ok: boolean, status: number | null) => void
  /** Sees the token endpoint's answer (doctor --record redacts the token before keeping it). */
  onExchange?: (x: { method: string, path: string, body: unknown, status: number, headers: Record<string, string | string[] | undefined>, text: string }) => void
}

/**
 * OAuth 2.0 client-credentials token cache (RFC 6749 §4.4). The token is refreshed ahead of its
 * expiry: from the refresh point on, callers keep the still-valid token while one background
 * refresh runs; only a missing or expired token makes callers wait. However many callers arrive,
 * one refresh is in flight. The token never leaves this module except as a header value.
 */
export class TokenCache {
  private token: string | null = null
  private refreshAt = 0
  private expiresAt = 0
  private inflight: Promise<string> | null = null
  lastObtainedAt: number | null = null
  /** expires_in of the last token, in seconds (doctor reports it). */
  lastLifetimeSec: number | null = null

  constructor (private readonly o: TokenCacheOptions) {}

  /** The current token, for scrubbing it out of anything bound for a log or a message. */
  get current (): string | null { return this.token }

  async get (): Promise<string> {
    const t = this.o.now()
    if (this.token !== null && t < this.refreshAt) return this.token
    if (this.token !== null && t < this.expiresAt) {
      this.refreshInBackground()
      return this.token
    }
    return await this.refresh()
  }

  /** Drops `stale` (if still current) after a 401 and fetches anew; concurrent callers share one fetch. */
  async invalidate (stale: string): Promise<string> {
    if (this.token === stale) this.token = null
    return await this.get()
  }

  private refreshInBackground (): void {
    if (this.inflight !== null) return
    this.refresh().catch((err: unknown) => {
      // The old token still works until it expires; try again in a little while, not on every call.
      const t = this.o.now()
      this.refreshAt = t + Math.min(5_000, Math.max(0, (this.expiresAt - t) / 2))
      this.o.logger?.warn({ operation: 'token', code: (err as SinchError).code }, 'sinch token refresh ahead of expiry failed; the current token is still valid')
    })
  }

  private async refresh (): Promise<string> {
    this.inflight ??= this.fetchToken().finally(() => { this.inflight = null })
    return await this.inflight
  }

  private async fetchToken (): Promise<string> {
    const started = this.o.now()
    const url = new URL(this.o.authUrl)
    // RFC 6749 §2.3.1: client id and secret are form-encoded before they go into HTTP Basic.
    const basic = Buffer.from(`${encodeURIComponent(this.o.keyId)}:${encodeURIComponent(this.o.keySecret)}`).toString('base64')
    let status: number | null = null
    try {
      const res = await this.o.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: 'grant_type=client_credentials',
        signal: this.o.signal
      })
      status = res.statusCode
      const text = await res.body.text()
      this.o.onExchange?.({ method: 'POST', path: url.pathname, body: 'grant_type=client_credentials', status, headers: res.headers, text })
      if (status === 400 || status === 401 || status === 403) {
        // invalid_client / invalid_request / unsupported_grant_type: the error code names the cause,
        // and it is safe to show; the description is not echoed (it may quote what we sent).
        const code = parseErrorBody(text).status
        throw new SinchError({ code: 'SINCH_AUTH', message: `Sinch credentials rejected by the token endpoint (${status}${code === null ? '' : ` ${code}`}); check SINCH_KEY_ID and SINCH_KEY_SECRET`, operation: 'token', status })
      }
      if (status >= 300) throw new SinchError({ code: 'SINCH_TRANSIENT', message: `Sinch token endpoint answered ${status}`, operation: 'token', status })
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        // Not the parser's message: it quotes the body, which would be the token.
        throw new SinchError({ code: 'SINCH_TRANSIENT', message: `Sinch token endpoint answered ${status} with a body that is not JSON`, operation: 'token', status })
      }
      const body = TokenResponseSchema.safeParse(json)
      if (!body.success) throw new SinchError({ code: 'SINCH_TRANSIENT', message: 'Sinch token endpoint answered without an access token', operation: 'token', status })
      const lifetimeMs = body.data.expires_in * 1000
      // expires_in and a JWT's exp count whole seconds, so the token may lapse up to 1 s early.
      const ahead = Math.min(lifetimeMs / 2, Math.min(this.o.refreshAheadMs ?? 60_000, lifetimeMs * 0.2) + 1_000)
      this.token = body.data.access_token
      this.lastLifetimeSec = body.data.expires_in
      this.refreshAt = started + lifetimeMs - ahead
      // Stop using a token a little before the server would refuse it (clock skew, transit time).
      this.expiresAt = started + lifetimeMs - Math.min(5_000, 1_000 + lifetimeMs * 0.05)
      this.lastObtainedAt = this.o.now()
      this.o.onFetched?.(this.o.now() - started, true, status)
      return this.token
    } catch (err) {
      this.o.onFetched?.(this.o.now() - started, false, status)
      if (err instanceof SinchError) throw err
      if (this.o.signal?.aborted === true) throw new SinchError({ code: 'SINCH_TRANSIENT', message: 'the Sinch client is closed', operation: 'token', status: null, cause: err })
      const reason = (err as { code?: unknown }).code
      throw new SinchError({ code: 'SINCH_TRANSIENT', message: `Sinch token endpoint unreachable${typeof reason === 'string' ? ` (${reason})` : ''}`, operation: 'token', status: null, cause: err })
    }
  }
}
