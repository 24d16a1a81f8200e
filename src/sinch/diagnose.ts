import { API_STYLES, STYLES, type ApiStyleName, type ApiStyleSetting } from './api-style.js'
import type { SinchClient } from './client.js'
import { SinchError } from './errors.js'
import { MemberPageSchema } from './schemas.js'
import type { Answer } from './transport.js'
import { createVocabulary } from './vocabulary.js'

/** Fields a member may carry in either style; anything else is reported as unknown. */
const KNOWN_FIELDS = new Set(['user_id', 'userId', 'name', 'email', 'display_name', 'displayName', 'role', 'status', 'project_id', 'projectId', 'created_at', 'createdAt', 'createTime', 'updated_at', 'updatedAt', 'updateTime'])
const RATE_HEADERS = /ratelimit|rate-limit|retry-after|x-envoy/i

export interface ProbeReport { style: ApiStyleName, status: number | null, outcome: 'ok' | 'absent' | 'error' }

export interface ProjectDiagnosis {
  projectId: string
  ok: boolean
  style: ApiStyleName | null
  probes: ProbeReport[]
  pageSizeAsked: number
  pageSizeHonoured: number | null
  /** Members on the first full page and whether Sinch offered a second. */
  firstPageMembers: number
  /** Page 2 differs from page 1 (null: one page only, nothing to compare). */
  pagingAdvances: boolean | null
  memberFields: string[]
  unknownFields: string[]
  /** Counts only: no email, name or id is reported. */
  roles: Record<string, number>
  statuses: Record<string, number>
  unknownRoles: string[]
  rateLimitHeaders: Record<string, string>
  problem: { status: number | null, code: string, meaning: string } | null
}

export interface Diagnosis {
  ok: boolean
  credentials: { ok: boolean, mode: 'oauth' | 'basic', tokenLifetimeSec: number | null, problem: { status: number | null, code: string, meaning: string } | null }
  projects: ProjectDiagnosis[]
}

/** What a status most likely means for an operator on day one (issue 13, item 3). */
export function meaningOf (status: number | null, code: string): string {
  if (code === 'SINCH_STYLE_UNKNOWN' || status === 404) return 'wrong project id or region: check SINCH_PROJECT_IDS and SINCH_REGION / SINCH_API_URL (a project lives in one region; the other answers 404)'
  if (status === 401 || code === 'SINCH_AUTH') return 'the key secret is wrong, or the access key was deleted: check SINCH_KEY_ID and SINCH_KEY_SECRET'
  if (status === 403) return 'the key may not manage members of this project, or the account\'s plan does not expose the member API'
  if (code === 'SINCH_LISTING_RUNAWAY') return 'the listing does not advance: Sinch may ignore the page token parameter of this style'
  if (code === 'SINCH_TRANSIENT') return 'Sinch did not answer usably (timeouts, 429 or 5xx); try again later'
  return 'Sinch refused the call; see the status'
}

function problemOf (err: unknown): { status: number | null, code: string, meaning: string } {
  const status = err instanceof SinchError ? err.status : null
  const code = err instanceof SinchError ? err.code : 'SINCH_TRANSIENT'
  return { status, code, meaning: meaningOf(status, code) }
}

function readPage (a: Answer): { raw: Array<Record<string, unknown>>, next: string | null } | null {
  if (a.status >= 300) return null
  let json: unknown
  try { json = JSON.parse(a.text) } catch { return null }
  const page = MemberPageSchema.safeParse(json)
  const raw = (json as { members?: unknown }).members
  if (!page.success || !Array.isArray(raw)) return null
  return { raw: raw as Array<Record<string, unknown>>, next: page.data.nextPageToken }
}

const ids = (raw: Array<Record<string, unknown>>): string => raw.map((m) => String(m.user_id ?? m.userId ?? m.name ?? m.email ?? '')).join('\n')

/**
 * The probe an operator runs on day one: per managed project, which style answers (both are
 * tried, read-only), the page size Sinch honours at the size real syncs use, whether page 2
 * differs from page 1, the member fields and role/status values seen (as counts), unknown field
 * names, rate-limit headers; and the token lifetime. Never writes.
 */
export async function diagnose (client: SinchClient, o: { projects: string[], setting: ApiStyleSetting, authMode: 'oauth' | 'basic', roleMap?: Partial<Record<'OWNER' | 'ADMIN' | 'MEMBER' | 'READONLY', string>>, pageSize: number }): Promise<Diagnosis> {
  const vocab = createVocabulary(o.roleMap)
  const credentials: Diagnosis['credentials'] = { ok: true, mode: o.authMode, tokenLifetimeSec: null, problem: null }
  try {
    await client.fetchToken()
    credentials.tokenLifetimeSec = client.tokenLifetimeSec()
  } catch (err) {
    return { ok: false, credentials: { ...credentials, ok: false, problem: problemOf(err) }, projects: [] }
  }
  const projects: ProjectDiagnosis[] = []
  for (const projectId of o.projects) projects.push(await diagnoseProject(client, projectId, o, vocab))
  return { ok: projects.every((p) => p.ok), credentials, projects }
}

async function diagnoseProject (client: SinchClient, projectId: string, o: { setting: ApiStyleSetting, pageSize: number }, vocab: ReturnType<typeof createVocabulary>): Promise<ProjectDiagnosis> {
  const d: ProjectDiagnosis = { projectId, ok: false, style: null, probes: [], pageSizeAsked: o.pageSize, pageSizeHonoured: null, firstPageMembers: 0, pagingAdvances: null, memberFields: [], unknownFields: [], roles: {}, statuses: {}, unknownRoles: [], rateLimitHeaders: {}, problem: null }
  const note = (a: Answer): void => {
    for (const [k, v] of Object.entries(a.headers)) if (RATE_HEADERS.test(k) && v !== undefined) d.rateLimitHeaders[k] = Array.isArray(v) ? v.join(', ') : v
  }
  const order = o.setting === 'auto' ? [...API_STYLES] : [o.setting, ...API_STYLES.filter((s) => s !== o.setting)]
  for (const name of order) {
    try {
      const a = await client.rawList(STYLES[name], projectId, 1)
      note(a)
      const ok = readPage(a) !== null
      d.probes.push({ style: name, status: a.status, outcome: ok ? 'ok' : 'absent' })
      if (ok && d.style === null && (o.setting === 'auto' || o.setting === name)) d.style = name
    } catch (err) {
      d.probes.push({ style: name, status: err instanceof SinchError ? err.status : null, outcome: 'error' })
      d.problem ??= problemOf(err)
    }
  }
  if (d.style === null) {
    if (d.problem === null) {
      const configured = o.setting === 'auto' ? null : d.probes.find((p) => p.outcome === 'ok')?.style
      d.problem = configured === undefined || configured === null
        ? { status: d.probes.at(-1)?.status ?? null, code: 'SINCH_STYLE_UNKNOWN', meaning: meaningOf(404, 'SINCH_STYLE_UNKNOWN') }
        : { status: null, code: 'SINCH_STYLE_MISMATCH', meaning: `SINCH_API_STYLE=${o.setting} does not answer; the account speaks ${configured}: set SINCH_API_STYLE=${configured} or auto` }
    }
    return d
  }
  // A probe of the other style may fail (a gateway's 403 for a path it does not know): not a problem.
  d.problem = null
  const style = STYLES[d.style]
  try {
    // The page size real syncs use, lowered as the client would on a 400.
    let size = o.pageSize
    let first: Answer | null = null
    while (first === null) {
      try {
        first = await client.rawList(style, projectId, size)
      } catch (err) {
        if (!(err instanceof SinchError) || err.status !== 400 || size <= 1) throw err
        size = [50, 20, 10, 5, 1].find((s) => s < size) ?? 1
      }
    }
    note(first)
    const p1 = readPage(first)
    if (p1 === null) throw new SinchError({ code: 'SINCH_TRANSIENT', message: 'the member page is not readable', operation: 'list', status: first.status, projectId })
    // A server that caps pages silently serves fewer than asked while offering more.
    d.pageSizeHonoured = p1.next !== null ? p1.raw.length : size
    d.firstPageMembers = p1.raw.length
    const members = [...p1.raw]
    if (p1.next !== null) {
      const second = await client.rawList(style, projectId, size, p1.next)
      note(second)
      const p2 = readPage(second)
      d.pagingAdvances = p2 !== null && p2.next !== p1.next && ids(p2.raw) !== ids(p1.raw)
      if (p2 !== null) members.push(...p2.raw)
    }
    const fields = new Set<string>()
    for (const m of members) {
      for (const k of Object.keys(m)) fields.add(k)
      const role = String(m.role ?? '')
      d.roles[role] = (d.roles[role] ?? 0) + 1
      if (vocab.role(role) === 'UNKNOWN' && !d.unknownRoles.includes(role)) d.unknownRoles.push(role)
      const status = String(m.status ?? '')
      d.statuses[status] = (d.statuses[status] ?? 0) + 1
    }
    d.memberFields = [...fields].sort()
    d.unknownFields = d.memberFields.filter((f) => !KNOWN_FIELDS.has(f))
    d.ok = d.pagingAdvances !== false
    if (d.pagingAdvances === false) d.problem = { status: 200, code: 'SINCH_LISTING_RUNAWAY', meaning: meaningOf(200, 'SINCH_LISTING_RUNAWAY') }
  } catch (err) {
    d.problem = problemOf(err)
  }
  return d
}
