import type { FastifyReply, FastifyRequest } from 'fastify'
import { ScimError, preconditionFailed } from '../scim/errors.js'
import { parseFilter, simpleUserEquality, toWhere } from '../scim/filter.js'
import { createMatcher } from '../scim/filter-match.js'
import { groupDefinition, userDefinition } from '../scim/setup.js'
import { listParams, sortColumn, type ListParams } from '../scim/list.js'
import type { ListRequest } from '../directory/index.js'
import { SCIM_JSON } from './errors.js'

/** Absolute SCIM base URL; behind a trusted proxy Fastify reads X-Forwarded-Proto/-Host. */
export function baseUrl (req: FastifyRequest, basePath: string): string {
  return `${req.protocol}://${req.host}${basePath}`
}

export function send (reply: FastifyReply, status: number, body: unknown, version?: number): FastifyReply {
  if (version !== undefined) reply.header('etag', `W/"${version}"`)
  return reply.code(status).type(SCIM_JSON).send(body)
}

function tags (header: string | undefined): string[] | null {
  if (header === undefined || header.trim() === '') return null
  return header.split(',').map((t) => t.trim().replace(/^W\//, ''))
}

/** If-Match → the version the write must find (412 otherwise); `*` or absent → unconditional. */
export function expectedVersion (req: FastifyRequest, current: number | null): number | null {
  const wanted = tags(req.headers['if-match'])
  if (wanted === null || wanted.includes('*')) return null
  if (current === null) return -1
  if (!wanted.includes(`"${current}"`)) throw preconditionFailed()
  return current
}

export function notModified (req: FastifyRequest, version: number): boolean {
  const t = tags(req.headers['if-none-match'])
  return t !== null && (t.includes('*') || t.includes(`"${version}"`))
}

/** GET query or SearchRequest body → a directory list request. */
export function listRequest (src: Record<string, unknown>, kind: 'user' | 'group'): { params: ListParams, req: ListRequest } {
  const params = listParams(src)
  let where = null
  let match: ListRequest['match'] = null
  let usesGroups = false
  const simple = params.filter !== null && kind === 'user' ? simpleUserEquality(params.filter) : null
  if (simple !== null) {
    where = simple
  } else if (params.filter !== null) {
    const filter = parseFilter(params.filter)
    where = toWhere(filter, kind)
    if (where === null) match = createMatcher(filter, kind === 'user' ? userDefinition() : groupDefinition())
    usesGroups = kind === 'user' && (filter as unknown as Array<Record<string, unknown>>).some((b) => Object.keys(b).some((k) => k.toLowerCase() === 'groups'))
  }
  return { params, req: { where, match, usesGroups, sortBy: sortColumn(params.sortBy), descending: params.descending, offset: params.startIndex - 1, limit: params.count } }
}

export function idParam (req: FastifyRequest): string {
  const id = (req.params as { id?: string }).id
  if (id === undefined || id === '') throw new ScimError(404, null, 'missing id')
  return id
}
