import type { Member } from './state.js'

export const SIM_STYLES = ['guide', 'v1'] as const
export type SimStyle = typeof SIM_STYLES[number]

/**
 * How this simulator spells the member and access-key APIs. Written from the documents, not
 * shared with src/sinch (so the client and the simulator cannot share a misreading):
 * - guide: shared/sinch-api.md (third-party integration guide), snake_case.
 * - v1: Sinch's published house style, after the Access Keys Management API
 *   (https://developers.sinch.com/docs/accesskeys/api-reference/accesskeys/access-key): paths under
 *   /v1/projects/{projectId}/, `pageSize` (1–1000, default 100) and `pageToken` in, `nextPageToken`
 *   out (empty when there are no more results), camelCase fields with createTime/updateTime,
 *   create and delete answer 200, update takes the changed fields and answers the resource.
 */
export interface Dialect {
  style: SimStyle
  prefix: string
  keysSegment: string
  query: { size: string, token: string }
  defaultPageSize: number
  maxPageSize: number
  member (m: Member): Record<string, unknown>
  /** The key of the list array and of the next-page token in a listing. */
  listKey: string
  nextKey: string
  totalKey: string
}

const iso = (t: number): string => new Date(t).toISOString()

export const DIALECTS: Readonly<Record<SimStyle, Dialect>> = {
  guide: {
    style: 'guide',
    prefix: '',
    keysSegment: 'access-keys',
    query: { size: 'page_size', token: 'page_token' },
    defaultPageSize: 20,
    maxPageSize: 100,
    member: (m) => ({ user_id: m.userId, email: m.email, display_name: m.displayName, role: m.role, status: m.status, project_id: m.projectId, created_at: iso(m.createdAt), updated_at: iso(m.updatedAt) }),
    listKey: 'members',
    nextKey: 'next_page_token',
    totalKey: 'total_size'
  },
  v1: {
    style: 'v1',
    prefix: '/v1',
    keysSegment: 'accessKeys',
    query: { size: 'pageSize', token: 'pageToken' },
    defaultPageSize: 100,
    maxPageSize: 1000,
    member: (m) => ({ name: `projects/${m.projectId}/members/${m.userId}`, userId: m.userId, email: m.email, displayName: m.displayName, role: m.role, status: m.status, projectId: m.projectId, createTime: iso(m.createdAt), updateTime: iso(m.updatedAt) }),
    listKey: 'members',
    nextKey: 'nextPageToken',
    totalKey: 'totalSize'
  }
}

/** Paths of a dialect, for the simulator's routes and for scripts that act "in the dashboard". */
export function simPaths (d: Dialect) {
  return {
    members: (p: string) => `${d.prefix}/projects/${encodeURIComponent(p)}/members`,
    member: (p: string, id: string) => `${d.prefix}/projects/${encodeURIComponent(p)}/members/${encodeURIComponent(id)}`,
    keys: (p: string) => `${d.prefix}/projects/${encodeURIComponent(p)}/${d.keysSegment}`
  }
}
