import { loadConfig } from '../config/load.js'
import { startBridge } from '../main.js'

export async function serveCommand (args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('Usage: sinch-scim-bridge serve\n\nStarts the bridge. All settings come from the environment (or .env); see README.\n')
    return 0
  }
  const loaded = loadConfig()
  if (!loaded.ok) {
    process.stderr.write(`invalid configuration:\n${loaded.problems.map((p) => `  ${p}`).join('\n')}\n`)
    return 2
  }
  await startBridge(loaded.config)
  // Keep running: startBridge installs signal handlers that close everything and exit.
  return await new Promise<number>(() => {})
}
