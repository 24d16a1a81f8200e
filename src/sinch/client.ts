import { setMaxListeners } from 'node:events'
import type { Logger } from 'pino'
import { pino } from 'pino'
import type { Role } from '../config/schema.js'
import { idFromResourceName, listQuery, memberPath, membersPath, type ApiStyle, type ApiStyleName, type ApiStyleSetting } from './api-style.js'
import type { RetryPolicy } from './backoff.js'
import { SinchError, parseErrorBody, type SinchOperation } from './errors.js'
import { createPools, type Timeouts } from './http.js'
import { AdaptiveLimiter, DEFAULT_LIMITER, type LimiterOptions } from './limiter.js'
import { ListingCache } from './listing-cache.js'
import { pageThrough, type Page } from './listing.js'
import { MemberPageSchema, RawMemberSchema, toMember, type SinchMember } from './schemas.js'
import { StyleResolver, type ProbeOutcome, type StylePersistence } from './style-resolver.js'
import { TokenCache } from './token-cache.js'
import { DEFAULT_RETRY_BUDGET, RetryBudget } from './retry-budget.js'
import type { CallResult } from './circuit.js'
import { Transport, type Answer, type CallEvent, type Exchange } from './transport.js'
import { createVocabulary } from './vocabulary.js'

export interface SinchClientOptions {
  apiUrl: string
  authUrl: string
  keyId: string
  keySecret: string
  authMode: 'oauth' | 'basic'
  /** SINCH_API_STYLE: a known shape, or `auto` to detect it (issue 13). Every caller decides. */
  apiStyle: ApiStyleSetting
  /** Keeps a detected style across restarts. */
  stylePersistence?: StylePersistence
  onStyle?: (style: ApiStyleName, how: 'configured' | 'stored' | 'probed') => void
  /** SINCH_ROLE_MAP: the account's names for the bridge's roles. */
  roleMap?: Partial<Record<Role, string>>
  /** Bounds the pages of one listing (see listing.ts). */
  maxMembersPerProject?: number
  /** How long a listing made for a 409 lookup serves later ones (default 10 min, one reconcile). */
  listingCacheMs?: number
  logger?: Logger
  limiter?: Partial<LimiterOptions>
  retry?: Partial<RetryPolicy>
  /** Client-wide cap on retries of failed calls (see RetryBudget). */
  retryBudget?: Partial<typeof DEFAULT_RETRY_BUDGET>
  timeouts?: Timeouts
  onCall?: (e: CallEvent) => void
  /** Once per call, after its retries: how it ended (feeds the Sinch circuit, circuit.ts). */
  onResult?: (r: CallResult) => void
  /** Sees every HTTP exchange, token included (doctor --record); nothing else should need it. */
  onExchange?: (x: Exchange) => void
  /** Clock for token lifetimes, deadlines and durations (tests inject the simulator's). */
  now?: () => number
  random?: () => number
}

export type MemberPatch = { role: Role } | { status: 'SUSPENDED' | 'ACTIVE' }

export interface SinchClient {
  listMembers (projectId: string, opts?: { pageSize?: number, signal?: AbortSignal }): AsyncIterable<SinchMember>
  listPage (projectId: string, pageToken?: string, pageSize?: number): Promise<Page>
  findMemberByEmail (projectId: string, email: string): Promise<SinchMember | null>
  invite (projectId: string, input: { email: string, role: Role }): Promise<{ member: SinchMember, adopted: boolean }>
  updateMember (projectId: string, userId: string, patch: MemberPatch): Promise<SinchMember>
  removeMember (projectId: string, userId: string): Promise<{ alreadyGone: boolean }>
  /** The style in use, or null before the first call decided it. */
  apiStyle (): ApiStyleName | null
  /** Decides the style now (detecting it if `auto`), with a read-only listing of `projectId`. */
  resolveStyle (projectId: string): Promise<{ style: ApiStyleName, how: 'configured' | 'stored' | 'probed', probes: ProbeOutcome[] }>
  /** One raw read-only call for doctor: never retried beyond the policy, never a write. */
  rawList (style: ApiStyle, projectId: string, pageSize: number, pageToken?: string): Promise<Answer>
  /** Obtains a token now (doctor, readiness); a no-op in Basic mode. */
  fetchToken (): Promise<void>
  /** expires_in of the last token (null in Basic mode or before one). */
  tokenLifetimeSec (): number | null
  /** When a token was last obtained; in Basic mode, when a call last succeeded. */
  lastTokenAt (): number | null
  stats (): { requests: number, rateLimited: number, retries: number, retriesRefused: number, currentRate: number, inFlight: number }
  /** Aborts calls in flight or in backoff (the token fetch included), fails queued ones, closes the pools, stops every timer. */
  close (): Promise<void>
}

/** The page real syncs ask for: the largest both styles serve, so a full listing takes fewest calls. */
export const SYNC_PAGE_SIZE = 100

function parseJson (a: Answer, operation: SinchOperation, projectId: string): unknown {
  if (a.text.trim() === '') return {}
  try {
    return JSON.parse(a.text)
  } catch {
    // Likely a gateway page in front of Sinch: worth another try later, not a rejection.
    throw new SinchError({ code: 'SINCH_TRANSIENT', message: `Sinch answered ${operation} with ${a.status} and a body that is not JSON`, operation, status: a.status, projectId })
  }
}

/** The only code that speaks HTTP to Sinch (or the bundled simulator). */
export function createSinchClient (o: SinchClientOptions): SinchClient {
  const now = o.now ?? Date.now
  const logger = (o.logger ?? pino({ level: 'silent' })).child({ component: 'sinch' })
  const vocab = createVocabulary(o.roleMap)
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
    signal: closing.signal,
    ...(o.onExchange === undefined ? {} : { onExchange: o.onExchange }),
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
    ...(o.onExchange === undefined ? {} : { onExchange: o.onExchange }),
    onCall: (e) => {
      if (e.outcome === 'ok' && e.operation !== 'token') lastOkAt = now()
      o.onCall?.(e)
    },
    ...(o.onResult === undefined ? {} : { onResult: o.onResult })
  })

  /** `strict` (the style probe): only a body with a members array counts as a page of this style. */
  function readPage (a: Answer, projectId: string, strict = false): Page | null {
    let json: unknown
    try { json = a.text.trim() === '' ? {} : JSON.parse(a.text) } catch { return null }
    const page = MemberPageSchema.safeParse(json)
    if (!page.success || (strict && !Array.isArray((json as { members?: unknown }).members))) return null
    return { members: page.data.members.map((m) => withProject(toMember(m, vocab), projectId)), nextPageToken: page.data.nextPageToken }
  }

  const withProject = (m: SinchMember, projectId: string): SinchMember => m.projectId === '' ? { ...m, projectId } : m

  const styles = new StyleResolver({
    setting: o.apiStyle,
    logger,
    ...(o.stylePersistence === undefined ? {} : { persistence: o.stylePersistence }),
    ...(o.onStyle === undefined ? {} : { onChosen: o.onStyle }),
    // Read-only and the smallest page: 404/405 says "not this shape"; any other failure ends the
    // detection (nothing is written meanwhile, the caller retries later).
    probe: async (style, projectId) => {
      const a = await rawList(style, projectId, 1)
      if (a.status === 404 || a.status === 405) return { style: style.name, outcome: 'absent', status: a.status }
      return { style: style.name, outcome: readPage(a, projectId, true) === null ? 'absent' : 'ok', status: a.status }
    }
  })

  async function rawList (style: ApiStyle, projectId: string, pageSize: number, pageToken?: string): Promise<Answer> {
    return await transport.call('list', 'GET', `${membersPath(style, projectId)}?${listQuery(style, pageSize, pageToken)}`, undefined, projectId, [404, 405])
  }

  /** Page size honoured per project, remembered after Sinch refused a larger one. */
  const pageSizes = new Map<string, number>()

  function member (a: Answer, projectId: string, operation: 'invite' | 'update'): SinchMember {
    const json = parseJson(a, operation, projectId)
    // v1 wraps nothing (the Access Keys update answers the resource itself); tolerate `{member: …}`.
    const inner = typeof json === 'object' && json !== null && 'member' in json ? (json as { member: unknown }).member : json
    const parsed = RawMemberSchema.safeParse(inner)
    if (!parsed.success) throw new SinchError({ code: 'SINCH_TRANSIENT', message: `Sinch answered ${operation} with ${a.status} but no readable member`, operation, status: a.status, projectId })
    return withProject(toMember(parsed.data, vocab), projectId)
  }

  async function listPage (projectId: string, pageToken?: string, pageSize?: number): Promise<Page> {
    const style = await styles.get(projectId)
    let a = await rawList(style, projectId, pageSize ?? pageSizes.get(projectId) ?? SYNC_PAGE_SIZE, pageToken)
    if ((a.status === 404 || a.status === 405) && pageToken === undefined && await styles.reconsider(projectId)) {
      a = await rawList(await styles.get(projectId), projectId, pageSize ?? SYNC_PAGE_SIZE)
    }
    if (a.status === 404 || a.status === 405) {
      throw new SinchError({ code: 'SINCH_NOT_FOUND', message: `Sinch answered the member listing of project ${projectId} with ${a.status} (${style.name} style)`, operation: 'list', status: a.status, projectId })
    }
    const page = readPage(a, projectId)
    if (page === null) throw new SinchError({ code: 'SINCH_TRANSIENT', message: 'Sinch answered a member list in an unexpected shape', operation: 'list', status: a.status, projectId })
    return page
  }

  function listMembers (projectId: string, opts: { pageSize?: number, signal?: AbortSignal } = {}): AsyncIterable<SinchMember> {
    return pageThrough(async (token, size) => await listPage(projectId, token, size), {
      projectId,
      pageSize: opts.pageSize ?? pageSizes.get(projectId) ?? SYNC_PAGE_SIZE,
      ...(o.maxMembersPerProject === undefined ? {} : { maxMembers: o.maxMembersPerProject }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      onPageSize: (size) => {
        pageSizes.set(projectId, size)
        logger.warn({ projectId, pageSize: size }, 'sinch refused the member page size; listing with a smaller page')
      }
    })
  }

  const cache = new ListingCache(o.listingCacheMs ?? 600_000, now)

  /** There is no GET for one member and no published email filter: a cached listing answers. */
  async function findMember (projectId: string, match: { email: string, userId: string | null }): Promise<SinchMember | null> {
    return await cache.lookup(projectId, match, () => listMembers(projectId))
  }

  async function invite (projectId: string, input: { email: string, role: Role }): Promise<{ member: SinchMember, adopted: boolean }> {
    const style = await styles.get(projectId)
    const a = await transport.call('invite', 'POST', membersPath(style, projectId), { [style.body.email]: input.email, [style.body.role]: vocab.roleName(input.role) }, projectId, [409])
    if (a.status !== 409) {
      const m = member(a, projectId, 'invite')
      if (m.userId !== '') {
        cache.note(m)
        return { member: m, adopted: false }
      }
      // Some answers omit the member id: the member exists now, so the listing has it.
      const found = await findMember(projectId, { email: input.email, userId: null })
      if (found === null) throw new SinchError({ code: 'SINCH_TRANSIENT', message: 'Sinch accepted the invite but the listing does not show the member yet', operation: 'invite', status: a.status, projectId })
      return { member: found, adopted: false }
    }
    // 409 ALREADY_EXISTS: already a member, perhaps by our own earlier invite whose answer was
    // lost on the way back. Adopt it: never invite twice, never fail (shared/sinch-api.md).
    const userId = idFromResourceName(parseErrorBody(a.text).resourceName)
    const found = await findMember(projectId, { email: input.email, userId })
    if (found === null) throw new SinchError({ code: 'SINCH_TRANSIENT', message: 'Sinch says the member exists but the listing does not show it', operation: 'invite', status: 409, projectId })
    if (found.email.toLowerCase() !== input.email.toLowerCase()) logger.warn({ operation: 'invite', projectId, userId: found.userId }, 'sinch 409 resourceName names a member with another email; adopting it as Sinch says')
    logger.debug({ operation: 'invite', projectId, userId: found.userId, viaResourceName: userId !== null }, 'sinch member adopted')
    return { member: found, adopted: true }
  }

  async function updateMember (projectId: string, userId: string, patch: MemberPatch): Promise<SinchMember> {
    const style = await styles.get(projectId)
    // Only the changed field, at the top of the body (the v1 update operation's shape, and the guide's).
    const body = 'role' in patch ? { [style.body.role]: vocab.roleName(patch.role) } : { [style.body.status]: patch.status }
    const m = member(await transport.call('update', 'PATCH', memberPath(style, projectId, userId), body, projectId), projectId, 'update')
    cache.note(m)
    return m
  }

  async function removeMember (projectId: string, userId: string): Promise<{ alreadyGone: boolean }> {
    const style = await styles.get(projectId)
    // 404 means removed already (by hand, or by our own earlier call whose answer was lost): done.
    const a = await transport.call('remove', 'DELETE', memberPath(style, projectId, userId), undefined, projectId, [404])
    cache.forget(projectId, userId)
    return { alreadyGone: a.status === 404 }
  }

  return {
    listMembers,
    listPage,
    findMemberByEmail: async (projectId, email) => await findMember(projectId, { email, userId: null }),
    invite,
    updateMember,
    removeMember,
    apiStyle: () => styles.current,
    async resolveStyle (projectId) {
      const s = await styles.get(projectId)
      return { style: s.name, how: styles.source ?? 'probed', probes: styles.lastProbes }
    },
    rawList,
    async fetchToken () {
      if (o.authMode === 'oauth') await tokens.get()
    },
    tokenLifetimeSec: () => (o.authMode === 'oauth' ? tokens.lastLifetimeSec : null),
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
        cache.clear()
        closed = pools.close()
      }
      await closed
    }
  }
}
