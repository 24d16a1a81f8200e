import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import type { Directory } from '../directory/index.js'
import { listResponse, project } from '../scim/list.js'
import { groupJson, userJson } from '../scim/resources.js'
import { baseUrl, listRequest, send } from './scim-context.js'

/** POST /.search at the root (RFC 7644 §3.4.3): users then groups, one page over both. */
export function registerRootSearch (app: FastifyInstance, d: { basePath: string, directory: Directory, auth: onRequestHookHandler }): void {
  app.post(`${d.basePath}/.search`, { onRequest: d.auth }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>
    const everything = { ...body, startIndex: 1, count: 0 }
    const users = listRequest(everything, 'user')
    const groups = listRequest(everything, 'group')
    const { params } = listRequest(body, 'user')
    const userTotal = (await d.directory.listUsers(users.req)).total
    const groupTotal = (await d.directory.listGroups(groups.req)).total
    const offset = params.startIndex - 1
    const ctx = { baseUrl: baseUrl(req, d.basePath) }
    const out: Array<Record<string, unknown>> = []
    if (offset < userTotal && params.count > 0) {
      const page = await d.directory.listUsers({ ...users.req, offset, limit: params.count })
      const groupsOf = await d.directory.groupsOfUsers(page.records.map((u) => u.id))
      out.push(...page.records.map((u) => userJson(u, ctx, groupsOf.get(u.id) ?? [], undefined)))
    }
    const left = params.count - out.length
    if (left > 0) {
      const page = await d.directory.listGroups({ ...groups.req, offset: Math.max(0, offset - userTotal), limit: left })
      const names = await d.directory.memberNames(page.records.map((g) => g.id))
      out.push(...page.records.map((g) => groupJson(g, ctx, names)))
    }
    return send(reply, 200, listResponse(out.map((r) => project(r, params)), userTotal + groupTotal, params))
  })
}
