/**
 * The two shapes a Sinch member API may have, described as data so the client never branches on
 * style call by call.
 *
 * - `guide`: the third-party integration guide (shared/sinch-api.md): `/projects/{p}/members`,
 *   `page_size`/`page_token` in, `next_page_token` out, snake_case fields.
 * - `v1`: Sinch's published house style, as in the Access Keys Management API
 *   (https://developers.sinch.com/docs/accesskeys/api-reference/accesskeys/access-key):
 *   `/v1/projects/{projectId}/<collection>`, `pageSize`/`pageToken` in, `nextPageToken` out (empty
 *   on the last page), camelCase fields, resource names `projects/{p}/members/{id}`. Its update
 *   operation (PATCH …/accessKeys/{accessKeyId}) takes only the changed fields at the top level of
 *   the body, with no field mask, and answers the resource itself; members follow it.
 *
 * Responses are read leniently whatever the style (schemas.ts); requests are written exactly.
 */
export const API_STYLES = ['v1', 'guide'] as const
export type ApiStyleName = typeof API_STYLES[number]
export type ApiStyleSetting = ApiStyleName | 'auto'

export interface ApiStyle {
  name: ApiStyleName
  /** Path prefix before `/projects/…`. */
  prefix: string
  /** Collection segment for members and for access keys. */
  members: string
  accessKeys: string
  query: { pageSize: string, pageToken: string }
  /** Field names the client writes in request bodies. */
  body: { email: string, role: string, status: string }
  /** The largest page the style is known to serve; listings start there and lower it on a 400. */
  maxPageSize: number
}

export const STYLES: Readonly<Record<ApiStyleName, ApiStyle>> = {
  guide: {
    name: 'guide',
    prefix: '',
    members: 'members',
    accessKeys: 'access-keys',
    query: { pageSize: 'page_size', pageToken: 'page_token' },
    body: { email: 'email', role: 'role', status: 'status' },
    maxPageSize: 100
  },
  v1: {
    name: 'v1',
    prefix: '/v1',
    members: 'members',
    accessKeys: 'accessKeys',
    query: { pageSize: 'pageSize', pageToken: 'pageToken' },
    body: { email: 'email', role: 'role', status: 'status' },
    // The member page limit is not published; 100 is the Access Keys default and the guide's max.
    maxPageSize: 100
  }
}

const enc = encodeURIComponent

export function membersPath (s: ApiStyle, projectId: string): string {
  return `${s.prefix}/projects/${enc(projectId)}/${s.members}`
}

export function memberPath (s: ApiStyle, projectId: string, userId: string): string {
  return `${membersPath(s, projectId)}/${enc(userId)}`
}

export function listQuery (s: ApiStyle, pageSize: number, pageToken: string | undefined): string {
  const q = new URLSearchParams({ [s.query.pageSize]: String(pageSize) })
  if (pageToken !== undefined && pageToken !== '') q.set(s.query.pageToken, pageToken)
  return q.toString()
}

/** The member id at the end of a resource name (`projects/{p}/members/{id}`), or null. */
export function idFromResourceName (name: string | null | undefined): string | null {
  if (typeof name !== 'string') return null
  return /(?:^|\/)members\/([^/]+)$/.exec(name)?.[1] ?? null
}
