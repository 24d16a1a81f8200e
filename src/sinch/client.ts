import { setMaxListeners } from 'node:events'
import type { Logger } from 'pino'
import { pino } from 'pino'
import type { RetryPolicy } from './backoff.js'
import { SinchError, parseErrorBody, type SinchOperation } from './errors.js'
import { createPools, type Timeouts } from './http.js'
import { AdaptiveLimiter, DEFAULT_LIMITER, type LimiterOptions } from './limiter.js'
import { MemberPageSchema, SinchMemberSchema, type SinchMember } from './schemas.js'
import { TokenCache } from './token-cache.js'
import { DEFAULT_RETRY_BUDGET, RetryBudget } from './retry-budget.js'
import { Transport, type Answer, type CallEvent } from './transport.js'

type Role = SinchMember['role']

export interface SinchClientOptions {
  apiUrl: string
  authUrl: string
  keyId: string
  keySecret: string
  authMode: 'oauth' | 'basic'
  logger?: Logger
  limiter?: Partial<LimiterOptions>
  retry?: Partial<RetryPolicy>
  /** Client-wide cap on retries of failed calls (see RetryBudget). */
  retryBudget?: Partial<typeof DEFAULT_RETRY_BUDGET>
  timeouts?: Timeouts
  onCall?: (e: CallEvent) => void
  /** Clock for token lifetimes, deadlines and durations (tests inject the simulator's). */
  now?: () => number
  random?: () => number
}

export interface SinchClient {
  listMembers (projectId: string, opts?: { pageSize?: number, signal?: AbortSignal }): AsyncIterable<SinchMember>
  listPage (projectId: string, pageToken?: string, pageSize?: number): Promise<{ members: SinchMember[], nextPageToken: string | null }>
  findMemberByEmail (projectId: string, email: string): Promise<SinchMember | null>
  invite (projectId: string, input: { email: string, role: Role }): Promise<{ member: SinchMember, adopted: boolean }>
  updateMember (projectId: string, userId: string, patch: { role: Role } | { status: 'SUSPENDED' | 'ACTIVE' }): Promise<SinchMember>
  removeMember (projectId: string, userId: string): Promise<{ alreadyGone: boolean }>
  /** Obtains a token now (doctor, readiness); a no-op in Basic mode. */
  fetchToken (): Promise<void>
  /** When a token was last obtained; in Basic mode, when a call last succeeded. */
  lastTokenAt (): number | null
  stats (): { requests: number, rateLimited: number, retries: number, retriesRefused: number, currentRate: number, inFlight: number }
  /** Aborts calls in flight or in backoff, fails queued ones, closes the pools, stops every timer. */
  close (): Promise<void>
}

const enc = encodeURIComponent
/** The largest page Sinch serves (shared/sinch-api.md): fewest calls for a full listing. */
const MAX_PAGE = 100

function parseJson (a: Answer, operation: SinchOperation, projectId: string): unknown {
  if (a.text.trim() === '') return {}
  try {
    return JSON.parse(a.text)
  } catch {
    // Likely a gateway page in front of Sinch: worth another try later, not a rejection.
    throw new SinchError('SINCH_TRANSIENT', `Sinch answered ${operation} with ${a.status} and a body that is not JSON`, operation, a.status, [], projectId)
  }
}

/** The only code that speaks HTTP to Sinch (or the bundled simulator). */
export function createSinchClient (o: SinchClientOptions): SinchClient {
  const now = o.now ?? Date.now
  const logger = (o.logger ?? pino({ level: 'silent' })).child({ component: 'sinch' })
  const pools = createPools(o.apiUrl, o.authUrl, o.timeouts, Math.max(8, (o.limiter?.maxConcurrency ?? DEFAULT_LIMITER.maxConcurrency) * 2))
  const closing = new AbortController()
  // Every call in flight or in backoff listens on this one signal; hundreds is normal, not a leak.
  setMaxListeners(0, closing.signal)
  let closed: Promise<void> = Promise.resolve()
  const limiters = new Map<string, AdaptiveLimiter>()
  const limiterFor = (projectId: string | undefined): AdaptiveLimiter => {
    const key = projectId ?? ''
    let l = limiters.get(key)
    if (l === undefined) {
      // Pacing arms real timers, so it reads the real clock; an injected test clock that stands
      // still would otherwise hold every queued call forever.
      l = new AdaptiveLimiter({ ...DEFAULT_LIMITER, ...o.limiter }, Date.now)
      limiters.set(key, l)
    }
    return l
  }
  const tokens = new TokenCache({
    authUrl: o.authUrl,
    keyId: o.keyId,
    keySecret: o.keySecret,
    dispatcher: pools.auth,
    now,
    logger,
    onFetched: (durationMs, ok, status) => o.onCall?.({ operation: 'token', outcome: ok ? 'ok' : status === 400 || status === 401 || status === 403 ? 'auth' : 'transient', status, durationMs })
  })
  let lastOkAt: number | null = null
  const transport = new Transport({
    apiUrl: o.apiUrl,
    dispatcher: pools.api,
    limiterFor,
    auth: o.authMode === 'oauth' ? { mode: 'oauth', tokens } : { mode: 'basic', header: `Basic ${Buffer.from(`${o.keyId}:${o.keySecret}`).toString('base64')}` },
    secrets: [o.keySecret],
    logger,
    now,
    random: o.random ?? Math.random,
    signal: closing.signal,
    ...(o.retry === undefined ? {} : { retry: o.retry }),
    retryBudget: new RetryBudget({ ...DEFAULT_RETRY_BUDGET, ...o.retryBudget, now }),
    onCall: (e) => {
      if (e.outcome === 'ok' && e.operation !== 'token') lastOkAt = now()
      o.onCall?.(e)
    }
  })

  function member (a: Answer, projectId: string, operation: 'invite' | 'update'): SinchMember {
    const parsed = SinchMemberSchema.safeParse(parseJson(a, operation, projectId))
    if (!parsed.success) throw new SinchError('SINCH_TRANSIENT', `Sinch answered ${operation} with ${a.status} but no readable member`, operation, a.status, [], projectId)
    return { ...parsed.data, projectId: parsed.data.projectId === '' ? projectId : parsed.data.projectId }
  }

  async function listPage (projectId: string, pageToken?: string, pageSize = MAX_PAGE): Promise<{ members: SinchMember[], nextPageToken: string | null }> {
    const q = `page_size=${pageSize}${pageToken === undefined || pageToken === '' ? '' : `&page_token=${enc(pageToken)}`}`
    const a = await transport.call('list', 'GET', `/projects/${enc(projectId)}/members?${q}`, undefined, projectId)
    const page = MemberPageSchema.safeParse(parseJson(a, 'list', projectId))
    if (!page.success) throw new SinchError('SINCH_TRANSIENT', 'Sinch answered a member list in an unexpected shape', 'list', a.status, [], projectId)
    return { members: page.data.members.map((m) => ({ ...m, projectId: m.projectId === '' ? projectId : m.projectId })), nextPageToken: page.data.nextPageToken }
  }

  async function * listMembers (projectId: string, opts: { pageSize?: number, signal?: AbortSignal } = {}): AsyncIterable<SinchMember> {
    let token: string | null = null
    do {
      opts.signal?.throwIfAborted()
      const page = await listPage(projectId, token ?? undefined, opts.pageSize ?? MAX_PAGE)
      yield * page.members
      // Guard against a server that hands back the token it was given: that page would repeat forever.
      if (page.nextPageToken !== null && page.nextPageToken === token) throw new SinchError('SINCH_TRANSIENT', 'Sinch returned the same page token twice', 'list', 200, [], projectId)
      token = page.nextPageToken
    } while (token !== null)
  }

  /** There is no GET for one member: the listing is the only lookup (by user id or by email). */
  async function findMember (projectId: string, match: { email: string, userId?: string | null }): Promise<SinchMember | null> {
    const want = match.email.toLowerCase()
    let byEmail: SinchMember | null = null
    for await (const m of listMembers(projectId)) {
      if (match.userId != null && m.userId === match.userId) return m
      if (byEmail === null && m.email.toLowerCase() === want) {
        byEmail = m
        if (match.userId == null) return m
      }
    }
    return byEmail
  }

  async function invite (projectId: string, input: { email: string, role: Role }): Promise<{ member: SinchMember, adopted: boolean }> {
    const a = await transport.call('invite', 'POST', `/projects/${enc(projectId)}/members`, { email: input.email, role: input.role }, projectId, [409])
    if (a.status !== 409) {
      const m = member(a, projectId, 'invite')
      if (m.userId !== '') return { member: m, adopted: false }
      // Some answers omit user_id: the member exists now, so the listing has it.
      const found = await findMember(projectId, { email: input.email })
      if (found === null) throw new SinchError('SINCH_TRANSIENT', 'Sinch accepted the invite but the listing does not show the member yet', 'invite', a.status, [], projectId)
      return { member: found, adopted: false }
    }
    // 409 ALREADY_EXISTS: already a member, perhaps by our own earlier invite whose answer was
    // lost on the way back. Adopt it: never invite twice, never fail (shared/sinch-api.md).
    const resourceName = parseErrorBody(a.text).resourceName
    const userId = resourceName === null ? null : /(?:^|\/)members\/([^/]+)$/.exec(resourceName)?.[1] ?? null
    const found = await findMember(projectId, { email: input.email, userId })
    if (found === null) throw new SinchError('SINCH_TRANSIENT', 'Sinch says the member exists but the listing does not show it', 'invite', 409, [], projectId)
    if (found.email.toLowerCase() !== input.email.toLowerCase()) logger.warn({ operation: 'invite', projectId, userId: found.userId }, 'sinch 409 resourceName names a member with another email; adopting it as Sinch says')
    logger.debug({ operation: 'invite', projectId, userId: found.userId, viaResourceName: userId !== null }, 'sinch member adopted')
    return { member: found, adopted: true }
  }

  async function updateMember (projectId: string, userId: string, patch: { role: Role } | { status: 'SUSPENDED' | 'ACTIVE' }): Promise<SinchMember> {
    const a = await transport.call('update', 'PATCH', `/projects/${enc(projectId)}/members/${enc(userId)}`, patch, projectId)
    return member(a, projectId, 'update')
  }

  async function removeMember (projectId: string, userId: string): Promise<{ alreadyGone: boolean }> {
    // 404 means removed already (by hand, or by our own earlier call whose answer was lost): done.
    const a = await transport.call('remove', 'DELETE', `/projects/${enc(projectId)}/members/${enc(userId)}`, undefined, projectId, [404])
    return { alreadyGone: a.status === 404 }
  }

  return {
    listMembers,
    listPage,
    findMemberByEmail: async (projectId, email) => await findMember(projectId, { email }),
    invite,
    updateMember,
    removeMember,
    async fetchToken () {
      if (o.authMode === 'oauth') await tokens.get()
    },
    lastTokenAt: () => (o.authMode === 'oauth' ? tokens.lastObtainedAt : lastOkAt),
    stats: () => {
      const all = [...limiters.values()]
      return { ...transport.stats, currentRate: all.reduce((n, l) => n + l.rate, 0), inFlight: all.reduce((n, l) => n + l.inFlight, 0) }
    },
    async close () {
      // Idempotent: main.ts and a test's afterEach may both close.
      if (!closing.signal.aborted) {
        closing.abort()
        for (const l of limiters.values()) l.close()
        closed = pools.close()
      }
      await closed
    }
  }
}
