import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { SimContext } from './context.js'
import { fieldViolation } from './errors.js'
import { guarded, type Outcome } from './guard.js'

type ProjectP = { Params: { project: string } }
type KeyP = { Params: { project: string, keyId: string } }
type SimKeyRecord = SimContext['keys'] extends Map<string, infer K> ? K : never

/** Sinch allows at most 10 access keys per project (Access Keys API, "Getting started"). */
const MAX_KEYS_PER_PROJECT = 10

const visible = (ctx: SimContext, projectId: string): SimKeyRecord[] =>
  [...ctx.keys.values()].filter((k) => !k.revoked && (k.projects === undefined || k.projects.includes(projectId)))

/**
 * Access keys of a project: listed without secrets; a new key may use only the project it was
 * created in, and its secret is shown once; deleting revokes it. `guide` answers in snake_case
 * (create 201, delete 204); `v1` answers as the published Access Keys Management API does:
 * `{accessKeys, nextPageToken}`, create 200 `{accessKey, secret}`, get, PATCH `{displayName}`,
 * delete 200 `{}`, at most 10 keys per project.
 */
export function registerKeyRoutes (app: FastifyInstance, ctx: SimContext): void {
  const v1 = ctx.dialect.style === 'v1'
  const base = `${ctx.dialect.prefix}/projects/:project/${ctx.dialect.keysSegment}`
  const json = (k: SimKeyRecord, projectId: string): Record<string, unknown> => v1
    ? { accessKeyId: k.id, displayName: k.displayName ?? k.id, projectId, createTime: new Date(0).toISOString(), updateTime: new Date(0).toISOString() }
    : { key_id: k.id, display_name: k.displayName ?? k.id }
  const find = (id: string): SimKeyRecord | null => {
    const k = ctx.keys.get(id)
    return k === undefined || k.revoked ? null : k
  }
  app.get(base, async (req: FastifyRequest<ProjectP>, reply) =>
    await guarded(ctx, 'access-keys', req, reply, (_c, projectId) => ({
      status: 200,
      body: v1 ? { accessKeys: visible(ctx, projectId).map((k) => json(k, projectId)), nextPageToken: '' } : { access_keys: visible(ctx, projectId).map((k) => json(k, projectId)) }
    })))
  app.post(base, async (req: FastifyRequest<ProjectP>, reply) =>
    await guarded(ctx, 'access-keys', req, reply, (_c, projectId): Outcome => {
      const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as { displayName?: unknown }
      if (v1 && (typeof b.displayName !== 'string' || b.displayName === '')) return { status: 400, error: 'displayName is required', details: [fieldViolation('displayName', 'required')] }
      if (v1 && visible(ctx, projectId).filter((k) => k.projects?.includes(projectId) === true).length >= MAX_KEYS_PER_PROJECT) {
        return { status: 400, error: `a project may have at most ${MAX_KEYS_PER_PROJECT} access keys`, details: [fieldViolation('accessKey', 'limit reached')] }
      }
      const id = v1 ? randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-') : `key-${randomBytes(6).toString('hex')}`
      const secret = randomBytes(24).toString('base64url')
      const key: SimKeyRecord = { id, secret, ownerCapable: false, projects: [projectId], revoked: false, ...(typeof b.displayName === 'string' ? { displayName: b.displayName } : {}) }
      ctx.keys.set(id, key)
      return v1 ? { status: 200, body: { accessKey: json(key, projectId), secret } } : { status: 201, body: { key_id: id, key_secret: secret } }
    }))
  if (v1) {
    app.get(`${base}/:keyId`, async (req: FastifyRequest<KeyP>, reply) =>
      await guarded(ctx, 'access-keys', req, reply, (_c, projectId): Outcome => {
        const k = find(req.params.keyId)
        return k === null ? { status: 404, error: 'Access key not found' } : { status: 200, body: json(k, projectId) }
      }))
    app.patch(`${base}/:keyId`, async (req: FastifyRequest<KeyP>, reply) =>
      await guarded(ctx, 'access-keys', req, reply, (_c, projectId): Outcome => {
        const k = find(req.params.keyId)
        if (k === null) return { status: 404, error: 'Access key not found' }
        const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as { displayName?: unknown }
        if (typeof b.displayName !== 'string' || b.displayName === '') return { status: 400, error: 'displayName is required', details: [fieldViolation('displayName', 'required')] }
        k.displayName = b.displayName
        return { status: 200, body: json(k, projectId) }
      }))
  }
  app.delete(`${base}/:keyId`, async (req: FastifyRequest<KeyP>, reply) =>
    await guarded(ctx, 'access-keys', req, reply, (): Outcome => {
      const key = find(req.params.keyId)
      if (key === null) return { status: 404, error: 'Access key not found' }
      key.revoked = true
      return v1 ? { status: 200, body: {} } : { status: 204 }
    }))
}
