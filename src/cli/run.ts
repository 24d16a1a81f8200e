const HELP = `sinch-scim-bridge — SCIM 2.0 bridge from Okta / Entra ID to Sinch project members

Usage: sinch-scim-bridge <command> [options]

Commands:
  serve                 start the bridge (sandbox mode without a Sinch key)
  simulate              run the bundled Sinch simulator alone
  reconcile [--dry-run] converge Sinch to the directory once and exit
  token                 generate or rotate the SCIM bearer token
  doctor                check configuration, database and Sinch access
  audit                 show recent Sinch changes
  roles                 the Sinch roles an IdP may assign: Entra appRoles, Okta settings

Run 'sinch-scim-bridge <command> --help' for a command's options.
`

export type Command = (args: string[]) => Promise<number>

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serveCommand,
  simulate: async () => (await import('./simulate.js')).simulateCommand,
  reconcile: async () => (await import('./reconcile.js')).reconcileCommand,
  token: async () => (await import('./token.js')).tokenCommand,
  doctor: async () => (await import('./doctor.js')).doctorCommand,
  audit: async () => (await import('./audit.js')).auditCommand,
  roles: async () => (await import('./roles.js')).rolesCommand
}

export async function runCli (argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP)
    return name === undefined ? 1 : 0
  }
  const load = COMMANDS[name]
  if (load === undefined) {
    process.stderr.write(`unknown command "${name}"\n\n${HELP}`)
    return 1
  }
  return (await load())(rest)
}
