import { loadConfig } from '../config/load.js'
import type { Config } from '../config/config.js'

/** Loads the configuration or prints one line per problem; exit code 2 as for `serve`. */
export function configOrExit (): Config | number {
  const loaded = loadConfig()
  if (loaded.ok) return loaded.config
  process.stderr.write(`invalid configuration:\n${loaded.problems.map((p) => `  ${p}`).join('\n')}\n`)
  return 2
}

/** A bad option value: run.ts prints it with a pointer to --help and exits 2, as for parseArgs' own errors. */
export class UsageError extends Error {
  readonly code = 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
}

/** --port: 0 (any free port) to 65535, the same range PORT accepts. */
export function portOption (value: string | undefined, flag = '--port'): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`${flag}: "${value}" is not a port (0 to 65535)`)
  return Number(value)
}

/** --host: a name or address to listen on; empty is refused rather than read as "all interfaces". */
export function hostOption (value: string | undefined, flag = '--host'): string | undefined {
  if (value === undefined) return undefined
  if (value.trim() === '') throw new UsageError(`${flag}: must not be empty`)
  return value.trim()
}
