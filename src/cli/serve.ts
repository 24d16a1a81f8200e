import { startBridge } from '../main.js'
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
