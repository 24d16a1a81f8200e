import type { Logger } from 'pino'
import { pino } from 'pino'
import { Agent } from 'undici'
import type { RetryPolicy } from './backoff.js'
import { SinchError, parseErrorBody } from './errors.js'
import { AdaptiveLimiter, DEFAULT_LIMITER, type LimiterOptions } from './limiter.js'
import { MemberPageSchema, SinchMemberSchema, type SinchMember } from './schemas.js'
import { TokenCache } from './token-cache.js'
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
  timeouts?: { connectMs?: number, headersMs?: number, bodyMs?: number }
  onCall?: (e: CallEvent) => void
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
  fetchToken (): Promise<void>
  lastTokenAt (): number | null
  stats (): { requests: number, rateLimited: number, retries: number, currentRate: number, inFlight: number }
  close (): Promise<void>
}

const enc = encodeURIComponent

function parseJson (a: Answer): unknown {
  try {
    return a.text === '' ? {} : JSON.parse(a.text)
  } catch {
    throw new SinchError('SINCH_TRANSIENT', `Sinch answered ${a.status} with a body that is not JSON`, 'list', a.status)
  }
}

/** The only code that speaks HTTP to Sinch (or the bundled simulator). */
export function createSinchClient (o: SinchClientOptions): SinchClient {
  const now = o.now ?? Date.now
  const logger = (o.logger ?? pino({ level: 'silent' })).child({ component: 'sinch' })
  const dispatcher = new Agent({
    connections: 64,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connectTimeout: o.timeouts?.connectMs ?? 10_000,
    headersTimeout: o.timeouts?.headersMs ?? 30_000,
    bodyTimeout: o.timeouts?.bodyMs ?? 30_000
  })
  const limiters = new Map<string, AdaptiveLimiter>()
  const limiterFor = (projectId: string | undefined): AdaptiveLimiter => {
    const key = projectId ?? ''
    let l = limiters.get(key)
    if (l === undefined) {
      l = new AdaptiveLimiter({ ...DEFAULT_LIMITER, ...o.limiter }, now)
      limiters.set(key, l)
    }
    return l
  }
  const tokens = new TokenCache({
    authUrl: o.authUrl,
    keyId: o.keyId,
    keySecret: o.keySecret,
    dispatcher,
    now,
    onFetched: (durationMs, ok, status) => o.onCall?.({ operation: 'token', outcome: ok ? 'ok' : status === 401 || status === 400 ? 'auth' : 'transient', status, durationMs })
  })
  const basic = `Basic ${Buffer.from(`${o.keyId}:${o.keySecret}`).toString('base64')}`
  const transport = new Transport({
    apiUrl: o.apiUrl,
    dispatcher,
    limiterFor,
    auth: o.authMode === 'oauth' ? { mode: 'oauth', tokens } : { mode: 'basic', header: basic },
    logger,
    now,
    random: o.random ?? Math.random,
    ...(o.retry === undefined ? {} : { retry: o.retry }),
    ...(o.onCall === undefined ? {} : { onCall: o.onCall })
  })

  async function listPage (projectId: string, pageToken?: string, pageSize = 100): Promise<{ members: SinchMember[], nextPageToken: string | null }> {
    const q = `page_size=${pageSize}${pageToken === undefined ? '' : `&page_token=${enc(pageToken)}`}`
    const a = await transport.call('list', 'GET', `/projects/${enc(projectId)}/members?${q}`, undefined, projectId)
    const page = MemberPageSchema.safeParse(parseJson(a))
    if (!page.success) throw new SinchError('SINCH_TRANSIENT', 'Sinch answered a member list in an unexpected shape', 'list', a.status, [], projectId)
    return { members: page.data.members.map((m) => ({ ...m, projectId: m.projectId === '' ? projectId : m.projectId })), nextPageToken: page.data.nextPageToken }
  }

  async function * listMembers (projectId: string, opts: { pageSize?: number, signal?: AbortSignal } = {}): AsyncIterable<SinchMember> {
    let token: string | undefined
    do {
      opts.signal?.throwIfAborted()
      const page = await listPage(projectId, token, opts.pageSize ?? 100)
      yield * page.members
      token = page.nextPageToken ?? undefined
    } while (token !== undefined)
  }

  async function findMemberByEmail (projectId: string, email: string): Promise<SinchMember | null> {
    const want = email.toLowerCase()
    for await (const m of listMembers(projectId)) if (m.email.toLowerCase() === want) return m
    return null
  }

  function member (a: Answer, projectId: string, op: 'invite' | 'update'): SinchMember {
    const parsed = SinchMemberSchema.safeParse(parseJson(a))
    if (!parsed.success) throw new SinchError('SINCH_TRANSIENT', `Sinch answered ${op} without a member`, op, a.status, [], projectId)
    return { ...parsed.data, projectId: parsed.data.projectId === '' ? projectId : parsed.data.projectId }
  }

  async function invite (projectId: string, input: { email: string, role: Role }): Promise<{ member: SinchMember, adopted: boolean }> {
    const a = await transport.call('invite', 'POST', `/projects/${enc(projectId)}/members`, { email: input.email, role: input.role }, projectId, [409])
    if (a.status !== 409) {
      const m = member(a, projectId, 'invite')
      if (m.userId !== '') return { member: m, adopted: false }
      // Some answers omit user_id: the member exists now, so the listing has it.
      const found = await findMemberByEmail(projectId, input.email)
      if (found === null) throw new SinchError('SINCH_TRANSIENT', 'invited member not found in the listing yet', 'invite', a.status, [], projectId)
      return { member: found, adopted: false }
    }
    // Already a member (maybe our own earlier invite whose answer was lost): adopt it.
    const resourceName = parseErrorBody(a.text).resourceName
    const userId = resourceName?.split('/').pop() ?? null
    const found = await findMemberByEmail(projectId, input.email)
    if (found === null) throw new SinchError('SINCH_TRANSIENT', `Sinch said ${input.email} exists but the listing does not show it`, 'invite', 409, [], projectId)
    if (userId !== null && found.userId !== userId) logger.warn({ projectId }, 'conflict resourceName and listing disagree; using the listing')
    return { member: found, adopted: true }
  }

  async function updateMember (projectId: string, userId: string, patch: { role: Role } | { status: 'SUSPENDED' | 'ACTIVE' }): Promise<SinchMember> {
    const a = await transport.call('update', 'PATCH', `/projects/${enc(projectId)}/members/${enc(userId)}`, patch, projectId, [404])
    if (a.status === 404) throw new SinchError('SINCH_NOT_FOUND', `member ${userId} is not in project ${projectId}`, 'update', 404, [], projectId)
    return member(a, projectId, 'update')
  }

  async function removeMember (projectId: string, userId: string): Promise<{ alreadyGone: boolean }> {
    const a = await transport.call('remove', 'DELETE', `/projects/${enc(projectId)}/members/${enc(userId)}`, undefined, projectId, [404])
    return { alreadyGone: a.status === 404 }
  }

  return {
    listMembers,
    listPage,
    findMemberByEmail,
    invite,
    updateMember,
    removeMember,
    async fetchToken () {
      if (o.authMode === 'oauth') await tokens.get()
    },
    lastTokenAt: () => (o.authMode === 'oauth' ? tokens.lastObtainedAt : transport.stats.requests > 0 ? now() : null),
    stats: () => ({ ...transport.stats, currentRate: [...limiters.values()].reduce((n, l) => n + l.rate, 0), inFlight: [...limiters.values()].reduce((n, l) => n + l.inFlight, 0) }),
    async close () {
      for (const l of limiters.values()) l.close()
      await dispatcher.close()
    }
  }
}
