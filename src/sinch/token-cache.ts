import type { Dispatcher } from 'undici'
import { SinchError, parseErrorBody } from './errors.js'
import { TokenResponseSchema } from './schemas.js'

export interface TokenCacheOptions {
  authUrl: string
  keyId: string
  keySecret: string
  dispatcher: Dispatcher
  now: () => number
  /** Refresh this long before expiry (or at 80 % of a short lifetime). */
  refreshAheadMs?: number
  onFetched?: (durationMs: number, ok: boolean, status: number | null) => void
}

/**
 * OAuth client-credentials token cache: refreshed ahead of expiry, one refresh in flight however
 * many callers wait, invalidated on a 401 from the API. The token never leaves this module except
 * as the Authorization header value.
 */
export class TokenCache {
  private token: string | null = null
  private refreshAt = 0
  private inflight: Promise<string> | null = null
  lastObtainedAt: number | null = null

  constructor (private readonly o: TokenCacheOptions) {}

  async get (): Promise<string> {
    if (this.token !== null && this.o.now() < this.refreshAt) return this.token
    return await this.refresh()
  }

  /** Drops `stale` (if still current) and fetches anew; concurrent callers share one fetch. */
  async invalidate (stale: string): Promise<string> {
    if (this.token === stale) this.token = null
    return await this.get()
  }

  private async refresh (): Promise<string> {
    this.inflight ??= this.fetchToken().finally(() => { this.inflight = null })
    return await this.inflight
  }

  private async fetchToken (): Promise<string> {
    const started = this.o.now()
    const url = new URL(this.o.authUrl)
    const basic = Buffer.from(`${encodeURIComponent(this.o.keyId)}:${encodeURIComponent(this.o.keySecret)}`).toString('base64')
    let status: number | null = null
    try {
      const res = await this.o.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: 'grant_type=client_credentials'
      })
      status = res.statusCode
      const text = await res.body.text()
      if (res.statusCode === 400 || res.statusCode === 401 || res.statusCode === 403) {
        const parsed = parseErrorBody(text)
        throw new SinchError('SINCH_AUTH', `Sinch credentials rejected by the token endpoint (${res.statusCode}${parsed.status === null ? '' : ` ${parsed.status}`})`, 'token', res.statusCode)
      }
      if (res.statusCode >= 300) throw new SinchError('SINCH_TRANSIENT', `token endpoint answered ${res.statusCode}`, 'token', res.statusCode)
      const body = TokenResponseSchema.safeParse(JSON.parse(text))
      if (!body.success) throw new SinchError('SINCH_TRANSIENT', 'token endpoint answered without an access token', 'token', res.statusCode)
      const lifetimeMs = body.data.expires_in * 1000
      const ahead = Math.min(this.o.refreshAheadMs ?? 60_000, lifetimeMs * 0.2)
      this.token = body.data.access_token
      this.refreshAt = started + lifetimeMs - ahead
      this.lastObtainedAt = this.o.now()
      this.o.onFetched?.(this.o.now() - started, true, status)
      return this.token
    } catch (err) {
      this.o.onFetched?.(this.o.now() - started, false, status)
      if (err instanceof SinchError) throw err
      throw new SinchError('SINCH_TRANSIENT', `token endpoint unreachable: ${(err as Error).message}`, 'token', null, [], undefined, { cause: err })
    }
  }
}
