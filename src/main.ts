import { hostname } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import type { Config } from './config/config.js'
import { readOrCreateToken } from './config/token-file.js'
import { createDirectory } from './directory/index.js'
import { registerOpsRoutes } from './http/ops-routes.js'
import { registerConsole } from './http/console/routes.js'
import { createLogger, type Logger } from './observability/logger.js'
import { createMetrics, type Metrics } from './observability/metrics.js'
import { createSampler, totalsFromMetrics, type Sampler } from './observability/sampler.js'
import { createExecutor } from './provisioning/executor.js'
import { loadMappingDocument } from './provisioning/mapping-file.js'
import { warnOnInertGroups } from './provisioning/inert-group-warning.js'
import { createProvisioner, type Provisioner } from './provisioning/provisioner.js'
import { catalogueOf, desiredAccess, groupGrants, inertGrantReasons, type RulesConfig } from './provisioning/rules.js'
import { createReconciler, type Reconciler } from './reconciler/reconciler.js'
import { createSimulator, SIMULATOR_STATE_FILE, type Simulator } from './simulator/index.js'
import { createSinchClient, SinchCircuit, type CircuitOptions, type SinchClient } from './sinch/index.js'
import { createStore, type Store } from './store/index.js'
import { createReadiness } from './observability/readiness.js'
import { sinchExtensionOf } from './provisioning/extension.js'
import { codeDigestProblem, renderKey } from './scim/render-key.js'

/** The settings key under which the detected Sinch API style is kept. */
export const API_STYLE_SETTING = 'sinch.api_style'

export interface Bridge {
  config: Config
  app: FastifyInstance
  store: Store
  sinch: SinchClient
  /** What the bridge's own Sinch calls say of Sinch: /readyz, /metrics and the console read it. */
  circuit: SinchCircuit
  provisioner: Provisioner
  reconciler: Reconciler
  simulator: Simulator | null
  metrics: Metrics
  /** Samples for the console's charts; started with the background work, stopped on close. */
  sampler: Sampler
  logger: Logger
  scimTokens: string[]
  rules: RulesConfig
  /** Starts the queue worker and the reconciler (not done by createBridge, so tests control them). */
  startBackground (): void
  close (): Promise<void>
}

export interface BridgeOptions {
  logger?: Logger
  /** Sandbox only: the running bridge's simulator (CLI commands); none is started in-process. */
  sandboxSimulatorUrl?: string
  /** Sandbox only: options passed to the in-process simulator. */
  simulatorOptions?: Record<string, unknown>
  requestBudgetMs?: number
  sinchRetry?: { baseMs?: number, capMs?: number, maxAttempts?: number, deadlineMs?: number }
  sinchRetryBudget?: { ratio?: number, minPerSecond?: number, max?: number }
  /** How the Sinch circuit reads recent calls (tests shorten it). */
  sinchCircuit?: Omit<CircuitOptions, 'now'>
  /** How often /readyz may recheck an open Sinch circuit (tests shorten it). */
  readinessRecheckMs?: number
  queueBackoff?: { baseMs: number, capMs: number }
  pollMs?: number
  /** Between two console chart samples (default 60 s). */
  sampleMs?: number
}

export function rulesFrom (config: Config): RulesConfig {
  const mapping = config.mappingFile === undefined ? null : loadMappingDocument(config.mappingFile, config.projects.managed)
  return {
    managedProjects: config.projects.managed,
    defaultProjects: config.projects.defaults,
    defaultRole: config.projects.defaultRole,
    allowOwner: config.allowOwner,
    deactivateAction: config.deactivateAction,
    adoptExisting: config.adoptExisting,
    mapping: mapping?.groups ?? null,
    offeredRoles: mapping?.roles ?? null
  }
}

/** Creates every dependency from a parsed config and wires them; listens on nothing. */
export async function createBridge (config: Config, opts: BridgeOptions = {}): Promise<Bridge> {
  const logger = opts.logger ?? createLogger(config.logLevel)
  const rules = rulesFrom(config)
  const scimTokens = config.scimTokens.length > 0 ? config.scimTokens : [readOrCreateToken(config.dataDir).token]
  let simulator: Simulator | null = null
  let apiUrl = config.sinch.apiUrl
  let authUrl = config.sinch.authUrl
  if (config.sandbox && opts.sandboxSimulatorUrl !== undefined) {
    apiUrl = opts.sandboxSimulatorUrl
    authUrl = `${opts.sandboxSimulatorUrl}/oauth2/token`
  } else if (config.sandbox) {
    // The account is kept beside the database so a restart neither re-invites nor forgets.
    simulator = createSimulator({ projects: config.projects.managed, autoAcceptMs: config.sandboxAutoAcceptMs, apiStyle: config.simulatorApiStyle, stateFile: join(config.dataDir, SIMULATOR_STATE_FILE), ...opts.simulatorOptions })
    const url = await simulator.listen(0, '127.0.0.1')
    apiUrl = url
    authUrl = `${url}/oauth2/token`
  }
  const storeLog = logger.child({ component: 'store' })
  const store = await createStore(config.databaseUrl, {
    connectTimeoutMs: config.databaseTimeouts.connectMs,
    statementTimeoutMs: config.databaseTimeouts.statementMs,
    onConnectionError: (err) => { storeLog.warn({ err: err.message, code: (err as { code?: unknown }).code }, 'database connection lost; the pool opens a new one on the next query') }
  })
  const metrics = createMetrics()
  const circuit = new SinchCircuit(opts.sinchCircuit)
  const sinch = createSinchClient({
    apiUrl: apiUrl ?? '',
    authUrl: authUrl ?? '',
    keyId: config.sinch.keyId,
    keySecret: config.sinch.keySecret,
    authMode: config.sinch.authMode,
    apiStyle: config.sinch.apiStyle,
    roleMap: config.sinch.roleMap,
    // Detected once, kept in the store: a restart does not probe again unless the style stops answering.
    stylePersistence: { load: async () => await store.getSetting(API_STYLE_SETTING), save: async (style) => { await store.setSetting(API_STYLE_SETTING, style) } },
    onStyle: (style) => {
      metrics.sinchApiStyle.reset()
      metrics.sinchApiStyle.set({ style }, 1)
    },
    logger,
    ...(opts.sinchRetry === undefined ? {} : { retry: opts.sinchRetry }),
    ...(opts.sinchRetryBudget === undefined ? {} : { retryBudget: opts.sinchRetryBudget }),
    onResult: (r) => { circuit.record(r) },
    onCall: (e) => {
      metrics.sinchCalls.inc({ operation: e.operation, outcome: e.outcome })
      metrics.sinchCallDuration.observe({ operation: e.operation }, e.durationMs / 1000)
    }
  })
  const owner = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`
  const executor = createExecutor({ store, sinch, rules, logger, projectsAtOnce: config.projectsAtOnce, onOp: (e) => metrics.changes.inc(e) })
  const provisioner = createProvisioner({
    executor,
    store,
    logger,
    owner,
    claimLeaseMs: config.queueClaimSeconds * 1000,
    requestBudgetMs: opts.requestBudgetMs ?? config.provisionWaitMs,
    ...(opts.queueBackoff === undefined ? {} : { backoff: opts.queueBackoff }),
    ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs })
  })
  const reconciler = createReconciler({
    store,
    sinch,
    managedProjects: config.projects.managed,
    logger,
    owner,
    intervalMs: config.reconcileIntervalSeconds * 1000,
    onQueued: () => provisioner.wake(),
    onReport: (r) => {
      metrics.reconcileDuration.set(r.durationMs / 1000)
      if (r.ok) metrics.reconcileLastSuccess.set(Date.parse(r.finishedAt) / 1000)
    }
  })
  metrics.setSources({
    queueDepth: async () => await store.queueDepth(),
    driftCount: async () => (reconciler.lastReport()?.projects ?? []).reduce((n, p) => n + p.unmanagedCount, 0),
    retriesRefused: () => sinch.stats().retriesRefused,
    circuit: () => circuit.snapshot(),
    ...(store.documentStats === undefined ? {} : { documents: store.documentStats })
  })
  const unreadable = codeDigestProblem()
  if (unreadable !== null) logger.warn({ err: unreadable }, 'the bridge\'s code could not be read to name its kept user documents: they will be rendered again after each restart')
  const directory = warnOnInertGroups(createDirectory(store, { provisioning: provisioner, log: logger.child({ component: 'directory' }) }), rules, logger.child({ component: 'groups' }))
  const app = await buildApp({
    logger,
    trustProxy: config.trustProxy,
    scimBasePath: config.scimBasePath,
    scimTokens: () => scimTokens,
    directory,
    sinchExtension: sinchExtensionOf(rules),
    // Documents kept by an earlier process with the same code and rules are served after a restart.
    documentKey: renderKey({ rules }),
    roleCatalogue: catalogueOf(rules),
    ...(store.fatal === undefined ? {} : { fatal: store.fatal })
  })
  // Node drops connections beyond this at accept (http.Server maxConnections); Fastify has no option of its own.
  app.server.maxConnections = config.maxConnections
  const firstProject = config.projects.managed[0]
  const sinchProbe = {
    lastTokenAt: () => sinch.lastTokenAt(),
    apiStyle: () => sinch.apiStyle(),
    resolveStyle: async (projectId: string) => await sinch.resolveStyle(projectId),
    // Basic auth has no token endpoint: the cheapest real call is a one-member page of a managed project.
    probe: async () => {
      if (config.sinch.authMode === 'oauth' || firstProject === undefined) await sinch.fetchToken()
      else await sinch.listPage(firstProject, undefined, 1)
    },
    ...(firstProject === undefined ? {} : { recheck: async () => { await sinch.listPage(firstProject, undefined, 1) } })
  }
  await registerOpsRoutes(app, { metrics, metricsToken: config.metricsToken, readiness: createReadiness({ store, sinch: sinchProbe, reconciler, managedProjects: config.projects.managed, intervalMs: config.reconcileIntervalSeconds * 1000, circuit: () => circuit.snapshot(), unreadyAfterMs: config.sinch.unreadyAfterSeconds * 1000, ...(opts.readinessRecheckMs === undefined ? {} : { recheckEveryMs: opts.readinessRecheckMs }) }) })
  const sampler = createSampler({
    read: totalsFromMetrics(metrics, config.scimBasePath, async () => (await store.queueDepth()).depth),
    ...(opts.sampleMs === undefined ? {} : { intervalMs: opts.sampleMs }),
    onError: (err) => logger.warn({ err: err.message }, 'console sample failed')
  })
  // SCIM tokens read the console; only ADMIN_TOKEN may act in it.
  await registerConsole(app, {
    store,
    managedProjects: rules.managedProjects,
    access: { desired: (subject) => desiredAccess(subject, rules), groupGrants: (subject) => groupGrants(subject, rules), inertReasons: (group) => inertGrantReasons(group, rules) },
    sandbox: config.sandbox,
    tokens: { readers: () => scimTokens, admin: () => config.adminToken },
    sampler,
    sinchLastOkAt: () => sinch.lastTokenAt(),
    sinchCircuit: () => circuit.snapshot(),
    apiStyle: () => sinch.apiStyle(),
    reconciler,
    wake: () => provisioner.wake()
  })

  let pruneTimer: NodeJS.Timeout | null = null
  const prune = async (): Promise<void> => {
    const before = new Date(Date.now() - config.auditRetentionDays * 86_400_000).toISOString()
    await store.pruneAudit(before).catch((err: Error) => logger.warn({ err: err.message }, 'audit pruning failed'))
  }
  return {
    config,
    app,
    store,
    sinch,
    circuit,
    provisioner,
    reconciler,
    simulator,
    metrics,
    sampler,
    logger,
    scimTokens,
    rules,
    startBackground () {
      provisioner.start()
      reconciler.start()
      sampler.start()
      void prune()
      pruneTimer = setInterval(() => { void prune() }, 86_400_000)
    },
    async close () {
      if (pruneTimer !== null) clearInterval(pruneTimer)
      sampler.stop()
      // In-flight SCIM requests finish first; then the background work; then the pools.
      await app.close()
      await reconciler.stop()
      await provisioner.stop()
      await sinch.close()
      await store.close()
      await simulator?.close()
    }
  }
}
