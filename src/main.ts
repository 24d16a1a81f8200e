import { buildApp } from './app.js'
import type { Config } from './config/config.js'
import { createLogger } from './observability/logger.js'

/** Loads nothing itself: takes a parsed config, creates every dependency, listens, closes on signals. */
export async function startBridge (config: Config): Promise<void> {
  const logger = createLogger(config.logLevel)
  const app = await buildApp({ logger, trustProxy: config.trustProxy })
  await app.listen({ port: config.port, host: config.host })
  const close = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'shutting down')
    const timer = setTimeout(() => process.exit(1), 10_000)
    await app.close()
    clearTimeout(timer)
    process.exit(0)
  }
  process.once('SIGTERM', (s) => { void close(s) })
  process.once('SIGINT', (s) => { void close(s) })
}
