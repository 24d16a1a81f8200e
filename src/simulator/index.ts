import Fastify, { type FastifyInstance } from 'fastify'
import type { SimContext } from './context.js'
import { createControl, type SimControlApi } from './control.js'
import { DIALECTS, simPaths, type SimStyle } from './dialect.js'
import { Faults } from './faults.js'
import { SimulatorOptionsSchema, type SimulatorOptions } from './options.js'
import { RateLimiter } from './rate-limit.js'
import { RequestLog } from './request-log.js'
import { registerTokenRoute } from './routes-auth.js'
import { registerControlRoutes } from './routes-control.js'
import { registerKeyRoutes } from './routes-keys.js'
import { registerMemberRoutes } from './routes-members.js'
import { Signer } from './signing.js'
import { SimState } from './state.js'
import { createStatePersistence } from './persistence.js'

export interface Simulator {
  app: FastifyInstance
  control: SimControlApi
  /** The API style this simulator speaks, and its paths (for scripts acting "in the dashboard"). */
  readonly style: SimStyle
  readonly paths: ReturnType<typeof simPaths>
  /** Base URL once listening ('' before). The token URL is `${url}/oauth2/token`. */
  readonly url: string
  listen (port?: number, host?: string): Promise<string>
  close (): Promise<void>
}

/**
 * The bundled Sinch: the member API of shared/sinch-api.md on its own Fastify server, strict and
 * realistic, with the awkward variants behind knobs. Independent of src/sinch on purpose, so the
 * client and the simulator cannot share a misreading of the contract.
 */
export function createSimulator (options: SimulatorOptions = {}): Simulator {
  const { clock, logger, stateFile, ...rest } = options
  const o = SimulatorOptionsSchema.parse(rest)
  const { projects, keys, seed, apiStyle, ...knobs } = o
  const dialect = DIALECTS[apiStyle]
  const ctx: SimContext = {
    state: new SimState(projects),
    dialect,
    knobs,
    keys: new Map(keys.map((k) => [k.id, { ...k, revoked: false }])),
    clock: clock ?? { now: () => Date.now() },
    signer: new Signer(),
    limiter: new RateLimiter(),
    faults: new Faults(seed),
    log: new RequestLog(),
    logger,
    initialProjects: projects
  }
  ctx.log.enabled = knobs.requestLog
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true, keepAliveTimeout: 30_000 })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))))
  })
  const control = createControl(ctx)
  const persistence = stateFile === undefined ? null : createStatePersistence(stateFile, ctx.state)
  // Every change to the account arrives as a request (member API or control plane); an answered
  // request is the moment to save. Reads also settle lazy auto-accepts, so they count too.
  if (persistence !== null) app.addHook('onResponse', async () => { persistence.touch() })
  registerTokenRoute(app, ctx)
  registerMemberRoutes(app, ctx)
  registerKeyRoutes(app, ctx)
  registerControlRoutes(app, control)
  // A path of the other API style: logged, so tests can see the probe that missed, and answered
  // 404 in the Google shape Sinch's gateway uses for an unknown path.
  app.setNotFoundHandler(async (req, reply) => {
    ctx.log.add({ at: new Date(ctx.clock.now()).toISOString(), method: req.method, path: req.url, route: 'unmatched', projectId: null, status: 404, keyId: null, body: null, dropped: false })
    return await reply.code(404).type('application/json').send({ error: { code: 404, message: `${req.method} ${req.url.split('?')[0] ?? ''} is not a known path`, status: 'NOT_FOUND', details: [] } })
  })
  let url = ''
  return {
    app,
    control,
    style: apiStyle,
    paths: simPaths(dialect),
    get url () { return url },
    async listen (port = 0, host = '127.0.0.1') {
      const address = await app.listen({ port, host })
      url = address.replace('[::1]', '127.0.0.1')
      return url
    },
    async close () {
      await app.close()
      persistence?.flush()
    }
  }
}

/** The sandbox's simulator state file, in DATA_DIR beside the SQLite database. */
export const SIMULATOR_STATE_FILE = 'sandbox-sinch-state.json'

export { createManualClock, type SimulatorOptions } from './options.js'
export { SIM_STYLES, type SimStyle } from './dialect.js'
