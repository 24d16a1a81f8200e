import type { Config } from '../config/config.js'
import { createBridge, type Bridge } from '../main.js'
import { banner } from './banner.js'
import { configOrExit } from './common.js'
import { MappingFileError } from '../provisioning/mapping-file.js'

export async function serveCommand (args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('Usage: sinch-scim-bridge serve\n\nStarts the bridge. Settings come from the environment (or .env); see the README.\nWithout SINCH_KEY_ID/SINCH_KEY_SECRET it runs in sandbox mode against the bundled simulator.\n')
    return 0
  }
  const config = configOrExit()
  if (typeof config === 'number') return config
  try {
    await startBridge(config)
  } catch (err) {
    // A bad mapping file is configuration too: same exit code, one line per problem.
    if (err instanceof MappingFileError) {
      process.stderr.write(`invalid configuration:\n${err.problems.map((p) => `  MAPPING_FILE: ${p}`).join('\n')}\n`)
      return 2
    }
    process.stderr.write(`failed to start: ${(err as Error).message}\n`)
    return 1
  }
  // Runs until a signal: startBridge's handlers close everything and exit.
  return await new Promise<number>(() => {})
}

/** `serve`: create, listen, print the banner, close everything on SIGTERM/SIGINT within 10 s. */
async function startBridge (config: Config): Promise<Bridge> {
  const bridge = await createBridge(config)
  const address = await bridge.app.listen({ port: config.port, host: config.host })
  bridge.startBackground()
  process.stdout.write(banner(bridge, address))
  const close = async (signal: string): Promise<void> => {
    bridge.logger.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      bridge.logger.error('shutdown took longer than 10 s; exiting')
      process.exit(1)
    }, 10_000)
    try {
      await bridge.close()
    } finally {
      clearTimeout(timer)
    }
    process.exit(0)
  }
  process.once('SIGTERM', (s) => { void close(s) })
  process.once('SIGINT', (s) => { void close(s) })
  return bridge
}
