import { z } from 'zod'
import type { Exchange } from './transport.js'

/**
 * `doctor --record FILE` (issue 13, item 4): the probe's HTTP exchanges, redacted, in a format a
 * contract test replays against the client (test/contract/transcripts.test.ts).
 *
 * Format `sinch-scim-bridge/transcript@1`: { format, recordedAt, source, setting, projects,
 * exchanges: [{ request: { method, path }, response: { status, headers, body } }], expect }.
 * Paths are relative to SINCH_API_URL (the token call keeps its own path). Redacted: access
 * tokens and secrets ("[redacted]"), emails (memberN@example.invalid), display names (Member N),
 * member ids (user-N) and page tokens (page-token-N), each replaced by the same placeholder
 * wherever it recurs, so paging still lines up on replay. No request header is kept.
 */
export const TRANSCRIPT_FORMAT = 'sinch-scim-bridge/transcript@1'

export const TranscriptSchema = z.object({
  format: z.literal(TRANSCRIPT_FORMAT),
  recordedAt: z.string(),
  source: z.string(),
  setting: z.enum(['auto', 'guide', 'v1']),
  authMode: z.enum(['oauth', 'basic']),
  projects: z.array(z.string()),
  roleMap: z.record(z.string(), z.string()).optional(),
  exchanges: z.array(z.object({
    request: z.object({ method: z.string(), path: z.string() }),
    response: z.object({ status: z.number().int(), headers: z.record(z.string(), z.string()), body: z.string() })
  })),
  /** The diagnosis doctor printed, which a replay must reproduce. */
  expect: z.unknown()
})
export type Transcript = z.infer<typeof TranscriptSchema>

const KEEP_HEADERS = /^(content-type|www-authenticate|retry-after|x-envoy-ratelimited|x-ratelimit-.*|ratelimit.*)$/i
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
const SECRET_KEYS = /^(access_token|accessToken|refresh_token|secret|key_secret|keySecret|client_secret|id_token)$/
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/g

export class TranscriptRecorder {
  private readonly exchanges: Transcript['exchanges'] = []
  private readonly maps = { email: new Map<string, string>(), name: new Map<string, string>(), id: new Map<string, string>(), page: new Map<string, string>() }

  constructor (private readonly secrets: string[]) {}

  record (x: Exchange): void {
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(x.headers)) if (KEEP_HEADERS.test(k) && v !== undefined) headers[k.toLowerCase()] = this.text(Array.isArray(v) ? v.join(', ') : v)
    this.exchanges.push({ request: { method: x.method, path: this.path(x.path) }, response: { status: x.status, headers, body: this.body(x.text) } })
  }

  transcript (meta: Omit<Transcript, 'format' | 'exchanges'>): Transcript {
    return { format: TRANSCRIPT_FORMAT, ...meta, exchanges: this.exchanges }
  }

  private placeholder (kind: keyof TranscriptRecorder['maps'], value: string): string {
    const m = this.maps[kind]
    let p = m.get(value)
    if (p === undefined) {
      const n = m.size + 1
      p = kind === 'email' ? `member${n}@example.invalid` : kind === 'name' ? `Member ${n}` : kind === 'id' ? `user-${n}` : `page-token-${n}`
      m.set(value, p)
    }
    return p
  }

  private path (path: string): string {
    const [base = '', query] = path.split('?')
    const parts = base.split('/').map((seg, i, all) => all[i - 1] === 'members' ? this.placeholder('id', decodeURIComponent(seg)) : seg)
    if (query === undefined) return parts.join('/')
    const q = new URLSearchParams(query)
    for (const k of [...q.keys()]) if (/page_?token/i.test(k)) q.set(k, this.placeholder('page', q.get(k) ?? ''))
    return `${parts.join('/')}?${q.toString()}`
  }

  private body (text: string): string {
    let json: unknown
    try { json = JSON.parse(text) } catch { return this.text(text) }
    return JSON.stringify(this.walk(json, ''))
  }

  private walk (v: unknown, key: string): unknown {
    if (Array.isArray(v)) return v.map((x) => this.walk(x, key))
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.walk(x, k)]))
    if (typeof v !== 'string') return v
    if (SECRET_KEYS.test(key)) return '[redacted]'
    if (/email/i.test(key)) return this.placeholder('email', v.toLowerCase())
    if (/^display_?name$/i.test(key)) return this.placeholder('name', v)
    if (/^user_?id$/i.test(key)) return this.placeholder('id', v)
    if (/page_?token/i.test(key)) return v === '' ? '' : this.placeholder('page', v)
    if (key === 'name' || key === 'resourceName') return v.replace(/(members\/)([^/]+)$/, (_m, pre: string, id: string) => `${pre}${this.placeholder('id', id)}`)
    return this.text(v)
  }

  /** Free text (messages, headers): secrets, tokens and any email address go. */
  private text (t: string): string {
    let out = t
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join('[redacted]')
    return out.replace(JWT, '[redacted]').replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]').replace(EMAIL, (e) => this.placeholder('email', e.toLowerCase()))
  }
}
