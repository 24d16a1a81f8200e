import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { SimContext } from './context.js'
import { guarded } from './guard.js'

type KeyP = { Params: { project: string, keyId: string } }

/**
 * Access keys of a project: listed without secrets (those that may use the project); a new key
 * may use only the project it was created in, and its secret is shown once; deleting revokes it.
 */
export function registerKeyRoutes (app: FastifyInstance, ctx: SimContext): void {
  app.get('/projects/:project/access-keys', async (req: FastifyRequest<{ Params: { project: string } }>, reply) =>
    await guarded(ctx, 'access-keys', req, reply, (_caller, projectId) => ({
      status: 200,
      body: { access_keys: [...ctx.keys.values()].filter((k) => !k.revoked && (k.projects === undefined || k.projects.includes(projectId))).map((k) => ({ key_id: k.id, display_name: k.id })) }
    })))
  app.post('/projects/:project/access-keys', async (req: FastifyRequest<{ Params: { project: string } }>, reply) =>
    await guarded(ctx, 'access-keys', req, reply, (_caller, projectId) => {
      const id = `key-${randomBytes(6).toString('hex')}`
      const secret = randomBytes(24).toString('base64url')
      ctx.keys.set(id, { id, secret, ownerCapable: false, projects: [projectId], revoked: false })
      return { status: 201, body: { key_id: id, key_secret: secret } }
    }))
  app.delete('/projects/:project/access-keys/:keyId', async (req: FastifyRequest<KeyP>, reply) =>
    await guarded(ctx, 'access-keys', req, reply, () => {
      const key = ctx.keys.get(req.params.keyId)
      if (key === undefined || key.revoked) return { status: 404, error: 'Access key not found' }
      key.revoked = true
      return { status: 204 }
    }))
}
