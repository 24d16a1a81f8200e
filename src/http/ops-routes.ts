import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Metrics } from '../observability/metrics.js'
import type { ReadinessCheck } from '../observability/readiness.js'
import { matchesSecret } from './secret-match.js'

export interface OpsDeps {
  metrics: Metrics
  metricsToken?: string | undefined
  readiness: ReadinessCheck[]
}

export { matchesSecret }

export function bearerOf (req: FastifyRequest): string | null {
  const h = req.headers.authorization
  if (typeof h !== 'string') return null
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h)
  return m?.[1] ?? null
}

/** /readyz and /metrics, plus the request histogram every route feeds. */
export async function registerOpsRoutes (app: FastifyInstance, deps: OpsDeps): Promise<void> {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched'
    deps.metrics.httpRequests.observe({ route, method: req.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000)
  })

  app.get('/readyz', async (_req, reply) => {
    const results = await Promise.all(deps.readiness.map(async (c) => {
      try {
        return { name: c.name, ...await c.check() }
      } catch (err) {
        return { name: c.name, ok: false, detail: (err as Error).message }
      }
    }))
    const ok = results.every((r) => r.ok)
    return await reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks: results })
  })

  app.get('/metrics', async (req: FastifyRequest, reply: FastifyReply) => {
    if (deps.metricsToken !== undefined) {
      const given = bearerOf(req)
      if (given === null || !matchesSecret(given, [deps.metricsToken])) {
        return await reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'metrics token required' })
      }
    }
    const body = await deps.metrics.registry.metrics()
    return await reply.type(deps.metrics.registry.contentType).send(body)
  })
}
