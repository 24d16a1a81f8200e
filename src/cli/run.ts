import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { UsageError } from './common.js'

export type Command = (args: string[]) => Promise<number>

interface CommandEntry {
  /** One line in the top-level help. */
  summary: string
  load: () => Promise<Command>
}

/** Every command, in help order. A new command is one entry here and one file beside this one. */
const COMMANDS: Record<string, CommandEntry> = {
  serve: { summary: 'start the bridge (sandbox mode without a Sinch key)', load: async () => (await import('./serve.js')).serveCommand },
  simulate: { summary: 'run the bundled Sinch simulator alone', load: async () => (await import('./simulate.js')).simulateCommand },
  reconcile: { summary: 'converge Sinch to the directory once and exit (--dry-run)', load: async () => (await import('./reconcile.js')).reconcileCommand },
  token: { summary: 'create or rotate the SCIM bearer token', load: async () => (await import('./token.js')).tokenCommand },
  doctor: { summary: 'check configuration, database and Sinch access', load: async () => (await import('./doctor.js')).doctorCommand },
  audit: { summary: 'show recent Sinch changes', load: async () => (await import('./audit.js')).auditCommand },
  roles: { summary: 'the Sinch roles an IdP may assign: Entra appRoles, Okta settings', load: async () => (await import('./roles.js')).rolesCommand }
}

function help (): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2
  return `sinch-scim-bridge — SCIM 2.0 bridge from Okta / Entra ID to Sinch project members

Usage: sinch-scim-bridge <command> [options]
       sinch-scim-bridge --version | --help

Commands:
${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}${c.summary}`).join('\n')}

Run 'sinch-scim-bridge <command> --help' for a command's options.
`
}

export function version (): string {
  // dist/cli/run.js and src/cli/run.ts both sit two folders below package.json.
  const raw: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  return z.object({ version: z.string() }).parse(raw).version
}

/** node:util parseArgs (strict) throws these for unknown options, missing values and stray positionals. */
function isUsageError (err: unknown): err is Error {
  if (err instanceof UsageError) return true
  const code = (err as { code?: unknown }).code
  return err instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')
}

export async function runCli (argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`)
    return 0
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help())
    return name === undefined ? 2 : 0
  }
  const entry = COMMANDS[name]
  if (entry === undefined) {
    process.stderr.write(`unknown command "${name}"\n\n${help()}`)
    return 2
  }
  try {
    return await (await entry.load())(rest)
  } catch (err) {
    // An operator's typo gets the usage and exit 2, never a stack trace.
    if (isUsageError(err)) {
      process.stderr.write(`${name}: ${err.message}\nRun 'sinch-scim-bridge ${name} --help' for its options.\n`)
      return 2
    }
    process.stderr.write(`${name} failed: ${(err as Error).message}\n`)
    return 1
  }
}
