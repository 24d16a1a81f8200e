import type { FastifyInstance, FastifyReply } from 'fastify'
import { ZodError } from 'zod'
import type { SimControlApi } from './control.js'

type Body = Record<string, unknown>

async function run (reply: FastifyReply, fn: () => unknown): Promise<FastifyReply> {
  try {
    const out = fn()
    return await reply.send(out ?? { ok: true })
  } catch (err) {
    const message = err instanceof ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message
    return await reply.code(400).send({ error: message })
  }
}

/** /__sim/: not part of Sinch. Test and sandbox control: state, faults, knobs, keys, clock. */
export function registerControlRoutes (app: FastifyInstance, control: SimControlApi): void {
  app.post('/__sim/reset', async (_req, reply) => await run(reply, () => control.reset()))
  app.post('/__sim/seed', async (req, reply) => await run(reply, () => control.seed(req.body as Body)))
  app.get('/__sim/dump', async (req, reply) => await run(reply, () => control.dump((req.query as { project?: string }).project)))
  app.get('/__sim/requests', async (req, reply) => await run(reply, () => control.requests(Number((req.query as { since?: string }).since ?? 0))))
  app.delete('/__sim/requests', async (_req, reply) => await run(reply, () => control.clearRequests()))
  app.post('/__sim/invites/accept', async (req, reply) => await run(reply, () => control.acceptInvites((req.body ?? {}) as Body)))
  app.post('/__sim/invites/expire', async (req, reply) => await run(reply, () => control.expireInvite(req.body as { project_id: string, email: string })))
  app.post('/__sim/faults', async (req, reply) => await run(reply, () => control.addFault(req.body)))
  app.delete('/__sim/faults', async (_req, reply) => await run(reply, () => control.clearFaults()))
  app.post('/__sim/config', async (req, reply) => await run(reply, () => control.configure(req.body)))
  app.post('/__sim/keys', async (req, reply) => await run(reply, () => control.addKey(req.body)))
  app.post('/__sim/keys/revoke', async (req, reply) => await run(reply, () => control.revokeKey(String((req.body as Body).id))))
  app.post('/__sim/clock/advance', async (req, reply) => await run(reply, () => control.advanceClock(Number((req.body as Body).ms))))
}
