import { SinchError } from './errors.js'
import type { SinchMember } from './schemas.js'

export interface Page { members: SinchMember[], nextPageToken: string | null }
export type FetchPage = (pageToken: string | undefined, pageSize: number) => Promise<Page>

/**
 * The largest project the bridge plans for. The issue that set it measured 100,000 members as a
 * large project; twice that, at the page size in use, bounds the pages of one listing.
 */
export const MAX_MEMBERS_PER_PROJECT = 200_000

export interface ListingOptions {
  projectId: string
  pageSize: number
  maxMembers?: number
  signal?: AbortSignal
  /** Told when Sinch refused a page size and a smaller one was honoured. */
  onPageSize?: (size: number) => void
}

/** A 400 that names the page token is not cured by a smaller page; any other 400 on a list may be. */
function pageSizeRefused (err: unknown, size: number): boolean {
  if (!(err instanceof SinchError) || err.status !== 400 || size <= 1) return false
  const said = [err.message, ...err.fieldViolations.map((v) => `${v.field} ${v.description}`)].join(' ')
  return !/token/i.test(said)
}

/** 100 → 50 → 20 → 10 → 5 → 1: the sizes APIs commonly allow, never below one. */
function smaller (size: number): number {
  for (const s of [50, 20, 10, 5, 1]) if (s < size) return s
  return 1
}

/**
 * Pages through a listing so that it cannot run away (issue 13, item 7): a page size Sinch
 * refuses is lowered and the same page asked again; a page token seen before, a page identical to
 * the previous one (a server that ignores the token parameter), or more pages than the largest
 * plausible project needs stop the listing with SINCH_LISTING_RUNAWAY.
 */
export async function * pageThrough (fetch: FetchPage, o: ListingOptions): AsyncIterable<SinchMember> {
  const maxMembers = o.maxMembers ?? MAX_MEMBERS_PER_PROJECT
  const seen = new Set<string>()
  let size = o.pageSize
  let token: string | undefined
  let previous: string | null = null
  let pages = 0
  const runaway = (why: string): SinchError => new SinchError({ code: 'SINCH_LISTING_RUNAWAY', message: `Sinch member listing of project ${o.projectId} stopped: ${why}`, operation: 'list', status: 200, projectId: o.projectId })
  for (;;) {
    o.signal?.throwIfAborted()
    let page: Page
    try {
      page = await fetch(token, size)
    } catch (err) {
      if (!pageSizeRefused(err, size)) throw err
      size = smaller(size)
      o.onPageSize?.(size)
      continue
    }
    pages++
    const signature = page.members.map((m) => m.userId === '' ? m.email : m.userId).join('\n')
    if (token !== undefined && page.members.length > 0 && signature === previous) throw runaway('the same page came back for a new page token (is the token parameter ignored?)')
    yield * page.members
    if (page.nextPageToken === null) return
    if (seen.has(page.nextPageToken) || page.nextPageToken === token) throw runaway('Sinch returned a page token it had returned before')
    if (pages >= Math.ceil(maxMembers / size) + 1) throw runaway(`more than ${pages} pages, beyond the ${maxMembers} members a project is expected to hold`)
    seen.add(page.nextPageToken)
    previous = signature
    token = page.nextPageToken
  }
}
