import { loadConfig } from '../config/load.js'
import type { Config } from '../config/config.js'

/** Loads the configuration or prints one line per problem; exit code 2 as for `serve`. */
export function configOrExit (): Config | number {
  const loaded = loadConfig()
  if (loaded.ok) return loaded.config
  process.stderr.write(`invalid configuration:\n${loaded.problems.map((p) => `  ${p}`).join('\n')}\n`)
  return 2
}
