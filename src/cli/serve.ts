import { parseArgs } from 'node:util'
import type { Config } from '../config/config.js'
import { createBridge, type Bridge } from '../main.js'
import { banner } from './banner.js'
import { MappingFileError } from '../provisioning/mapping-file.js'
import { configOrExit, hostOption, portOption } from './common.js'
import { publishSimulator } from './sandbox-link.js'
import { cliLogger, logFormatOption } from './log-output.js'
import type { Logger } from '../observability/logger.js'

const HELP = `Usage: sinch-scim-bridge serve [--port N] [--host H] [--log-format json|pretty]

Starts the bridge. Settings come from the environment (or .env); see the README.
Without SINCH_KEY_ID/SINCH_KEY_SECRET it runs in sandbox mode against the bundled simulator.
  --port N          listen on this port (overrides PORT; 0 = any free port)
  --host H          listen on this address (overrides HOST)
  --log-format F    json or pretty: the form of the log lines on standard output (default:
                    pretty on a terminal, JSON otherwise, for log collectors)
Exit code 2 for invalid configuration, 1 when it cannot listen or start.
`

export async function serveCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { help: { type: 'boolean', short: 'h' }, port: { type: 'string' }, host: { type: 'string' }, 'log-format': { type: 'string' } } })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  const port = portOption(values.port)
  const host = hostOption(values.host)
  const logFormat = logFormatOption(values['log-format'], process.stdout.isTTY)
  const loaded = configOrExit()
  if (typeof loaded === 'number') return loaded
  const config = { ...loaded, ...(port === undefined ? {} : { port }), ...(host === undefined ? {} : { host }) }
  try {
    const bridge = await startBridge(config, cliLogger(config.logLevel, logFormat))
    if (bridge.simulator !== null) {
      // The bridge already serves: a link it cannot write costs the CLI its access, not the IdP its bridge.
      try {
        publishSimulator(config.dataDir, bridge.simulator.url)
      } catch (err) {
        bridge.logger.warn({ err: (err as Error).message }, 'could not record the simulator address for CLI commands')
      }
    }
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
async function startBridge (config: Config, logger: Logger): Promise<Bridge> {
  const bridge = await createBridge(config, { logger })
  let address: string
  try {
    address = await bridge.app.listen({ port: config.port, host: config.host })
  } catch (err) {
    // The in-process simulator, pools and timers would keep a failed start alive: release them.
    await bridge.close()
    throw err
  }
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
