import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SimContext } from './context.js'

function credentials (req: FastifyRequest, form: Record<string, string>): { id: string, secret: string } | null {
  const h = req.headers.authorization
  if (typeof h === 'string' && /^Basic\s+/i.test(h)) {
    const decoded = Buffer.from(h.replace(/^Basic\s+/i, ''), 'base64').toString('utf8')
    const i = decoded.indexOf(':')
    if (i > 0) return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) }
  }
  if (form.client_id !== undefined && form.client_secret !== undefined) return { id: form.client_id, secret: form.client_secret }
  return null
}

function oauthError (reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error, error_description: description })
}

/** POST /oauth2/token: client credentials → an expiring signed bearer token. */
export function registerTokenRoute (app: FastifyInstance, ctx: SimContext): void {
  app.post('/oauth2/token', async (req, reply) => {
    const form = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, string>
    const keyId = credentials(req, form)?.id ?? null
    const record = (status: number): void => ctx.log.add({ at: new Date(ctx.clock.now()).toISOString(), method: 'POST', path: '/oauth2/token', route: 'token', projectId: null, status, keyId, body: null, dropped: false })
    const fault = ctx.faults.before('token')
    if (fault?.kind === 'status') {
      record(fault.status)
      return await reply.code(fault.status).send('')
    }
    if (form.grant_type === undefined) {
      record(400)
      return oauthError(reply, 400, 'invalid_request', 'grant_type is required')
    }
    if (form.grant_type !== 'client_credentials') {
      record(400)
      return oauthError(reply, 400, 'unsupported_grant_type', 'only client_credentials is supported')
    }
    const creds = credentials(req, form)
    const key = creds === null ? undefined : ctx.keys.get(creds.id)
    if (creds === null || key === undefined || key.revoked || key.secret !== creds.secret) {
      record(401)
      return oauthError(reply, 401, 'invalid_client', 'client authentication failed')
    }
    const now = ctx.clock.now()
    const lifetime = ctx.knobs.tokenLifetimeSec
    const token = ctx.signer.sign({ kid: key.id, iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + lifetime, jti: Math.random().toString(36).slice(2) })
    record(200)
    return await reply.type('application/json').send({ access_token: token, token_type: 'bearer', expires_in: lifetime, scope: '' })
  })
}

export type Caller = { keyId: string, mode: 'bearer' | 'basic' }

/** Authenticates an API call; on failure sends the exact 401 Sinch sends and returns null. */
export function authenticate (ctx: SimContext, req: FastifyRequest, reply: FastifyReply): Caller | null {
  const h = req.headers.authorization ?? ''
  if (/^Basic\s+/i.test(h)) {
    const creds = credentials(req, {})
    const key = creds === null ? undefined : ctx.keys.get(creds.id)
    if (creds !== null && key !== undefined && !key.revoked && key.secret === creds.secret) return { keyId: key.id, mode: 'basic' }
    void reply.code(401).header('www-authenticate', 'Basic realm="sinch"').type('application/json').send({ error: { code: 401, message: 'Invalid credentials', status: 'UNAUTHENTICATED', details: [] } })
    return null
  }
  const m = /^Bearer\s+(\S+)$/i.exec(h)
  const payload = m?.[1] === undefined ? null : ctx.signer.verify(m[1])
  const key = payload === null ? undefined : ctx.keys.get(String(payload.kid))
  if (payload === null || key === undefined || key.revoked) {
    void reply.code(401).header('www-authenticate', 'Bearer error="invalid_token", error_description="Invalid token"').type('application/json')
      .send({ error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED', details: [] } })
    return null
  }
  const exp = Number(payload.exp) * 1000
  if (ctx.clock.now() >= exp) {
    const at = new Date(exp).toISOString().replace('.000Z', 'Z')
    void reply.code(401).header('www-authenticate', `Bearer error="invalid_token", error_description="Jwt expired at ${at}"`).type('application/json')
      .send({ error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED', details: [] } })
    return null
  }
  return { keyId: key.id, mode: 'bearer' }
}
