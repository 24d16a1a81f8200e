import { existsSync, readFileSync } from 'node:fs'
import { parse as parseDotenv } from 'dotenv'
import { crossCheck, EnvSchema } from './schema.js'
import { toConfig, type Config } from './config.js'

export type LoadResult = { ok: true, config: Config } | { ok: false, problems: string[] }

const KNOWN_KEYS = Object.keys(EnvSchema.shape)

/**
 * Reads the process environment over an optional `.env` file (the environment wins, as with
 * every twelve-factor tool). Empty strings count as unset so `FOO=` in a compose file is harmless.
 */
export function loadConfig (env: NodeJS.ProcessEnv = process.env, dotenvPath = '.env'): LoadResult {
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {}
  const merged: Record<string, string> = {}
  for (const key of KNOWN_KEYS) {
    const value = env[key] ?? fromFile[key]
    if (value !== undefined && value !== '') merged[key] = value
  }
  const parsed = EnvSchema.safeParse(merged)
  const cross = crossCheck(merged).map((c) => `${c.key}: ${c.message}`)
  if (parsed.success && cross.length === 0) return { ok: true, config: toConfig(parsed.data) }
  // One line per problem, naming the variable; never the value, which may be a secret.
  const problems = (parsed.success ? [] : parsed.error.issues).map((issue) => {
    const key = issue.path.length > 0 ? String(issue.path[0]) : 'configuration'
    return `${key}: ${describe(issue.message)}`
  })
  return { ok: false, problems: [...new Set([...problems, ...cross])] }
}

function describe (message: string): string {
  // zod's enum messages quote the allowed options, which is what an admin needs; keep them.
  return message.replace(/^Invalid input: /, '')
}
