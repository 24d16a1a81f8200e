// bench/request-log: what logging one request costs at the default level (info), written to
// /dev/null: Fastify's own two lines (`incoming request`, `request completed`, both redacted)
// against the bridge's AccessLog (one line at the end, unredacted: fields it names itself), with
// the same logger (observability/logger.js) and lazy request loggers. Each app serves one trivial
// route through Fastify's inject (no sockets); µs per request, and the difference to `silent`.
import Fastify from 'fastify'
import { pino } from 'pino'
const { createLogger } = await import('../dist/observability/logger.js')
const { lazyRequestLogger } = await import('../dist/observability/request-logger.js')
const { AccessLog } = await import('../dist/observability/access-log.js')

const N = Number(process.env.BENCH_N ?? 20000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

async function app (level, controller) {
  const logger = createLogger(level, pino.destination({ dest: '/dev/null', sync: true }))
  const a = Fastify({ loggerInstance: logger, ...(controller === undefined ? {} : { logController: controller(logger) }) })
  a.setChildLoggerFactory(lazyRequestLogger)
  a.get('/scim/v2/Users/:id', async () => ({ ok: true }))
  await a.ready()
  return a
}

async function perRequest (a) {
  const t = process.hrtime.bigint()
  for (let i = 0; i < N; i++) {
    await a.inject({ method: 'GET', url: `/scim/v2/Users/${i}`, headers: { authorization: 'Bearer not-logged' } })
    // inject settles in microtasks: without a turn of the event loop now and then, what Fastify
    // and Node defer to it piles up (4 GB after half a million requests).
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve))
  }
  return Number(process.hrtime.bigint() - t) / 1e3 / N
}

const apps = { silent: await app('silent'), 'Fastify, two lines': await app('info'), 'AccessLog, one line': await app('info', (l) => new AccessLog(l)) }
for (const a of Object.values(apps)) await perRequest(a) // warm-up
const times = Object.fromEntries(Object.keys(apps).map((k) => [k, []]))
// Alternating rounds: every variant sees the same machine.
for (let r = 0; r < ROUNDS; r++) for (const [k, a] of Object.entries(apps)) times[k].push(await perRequest(a))
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]
const base = median(times.silent)
for (const [k, xs] of Object.entries(times)) {
  const m = median(xs)
  console.log(`${k.padEnd(22)} ${m.toFixed(2)} µs per request (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})${k === 'silent' ? '' : `, logging ${(m - base).toFixed(2)} µs`}`)
}
