import { parseArgs } from 'node:util'
import { loadConfig } from '../config/load.js'
import { generateToken, writeTokenFile } from '../config/token-file.js'

const HELP = `Usage: sinch-scim-bridge token [--rotate] [--print-only]

Generates a new SCIM bearer token and prints it once.
  (sandbox)  writes it to <DATA_DIR>/scim-token (mode 0600); the running bridge must be restarted.
  (live)     prints it: put it first in SCIM_BEARER_TOKEN ("new,old"), update the IdP, then drop the old one.
Options:
  --print-only  only print a token; write nothing
  --rotate      same as the default (kept for clarity in scripts)
`

export async function tokenCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, rotate: { type: 'boolean' }, 'print-only': { type: 'boolean' } } })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  const loaded = loadConfig()
  if (!loaded.ok) {
    process.stderr.write(`invalid configuration:\n${loaded.problems.map((p) => `  ${p}`).join('\n')}\n`)
    return 2
  }
  const token = generateToken()
  if (values['print-only'] === true || !loaded.config.sandbox) {
    process.stdout.write(`${token}\n`)
    if (!loaded.config.sandbox) process.stderr.write('Set SCIM_BEARER_TOKEN="<new>,<current>" and restart, update the IdP, then remove the old token.\n')
    return 0
  }
  const path = writeTokenFile(loaded.config.dataDir, token)
  process.stdout.write(`${token}\n`)
  process.stderr.write(`written to ${path} (0600); restart the bridge to use it\n`)
  return 0
}
