import { parseArgs } from 'node:util'
import { loadTokenSetup } from '../config/load.js'
import { generateToken, readTokenFile, rotateTokenFile, tokenPath, writeTokenFile } from '../config/token-file.js'

const HELP = `Usage: sinch-scim-bridge token [--rotate] [--print-only] [--json]

Creates the SCIM bearer token the IdP sends, in any mode, and prints it once. It is stored in
<DATA_DIR>/scim-token (mode 0600, folder 0700), which the bridge reads at start when neither
SCIM_BEARER_TOKEN nor SCIM_BEARER_TOKEN_FILE is set. Restart the bridge after a change.
  (no option)   create the first token; refuses (exit 1) if one exists: see --rotate
  --rotate      write a new token first and keep the previous one second, so both work until
                the IdP has the new one; the next --rotate drops the old one
  --print-only  only print a new token; write nothing (for SCIM_BEARER_TOKEN="<new>,<current>")
  --json        print {"token", "file", "action", "accepted"} instead of the bare token
`

interface Outcome { token: string, file: string | null, action: 'created' | 'rotated' | 'printed', accepted: number }

export async function tokenCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { help: { type: 'boolean', short: 'h' }, rotate: { type: 'boolean' }, 'print-only': { type: 'boolean' }, json: { type: 'boolean' } } })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  const setup = loadTokenSetup()
  let outcome: Outcome
  if (values['print-only'] === true) {
    outcome = { token: generateToken(), file: null, action: 'printed', accepted: 0 }
  } else if (values.rotate === true) {
    const r = rotateTokenFile(setup.dataDir)
    outcome = { token: r.token, file: r.path, action: r.kept > 0 ? 'rotated' : 'created', accepted: 1 + r.kept }
  } else {
    if (readTokenFile(setup.dataDir).length > 0) {
      process.stderr.write(`a token already exists in ${tokenPath(setup.dataDir)}; use --rotate to replace it (the current one stays valid until the next rotation)\n`)
      return 1
    }
    const token = generateToken()
    outcome = { token, file: writeTokenFile(setup.dataDir, token), action: 'created', accepted: 1 }
  }
  process.stdout.write(values.json === true ? `${JSON.stringify(outcome)}\n` : `${outcome.token}\n`)
  if (outcome.file !== null) {
    process.stderr.write(`${outcome.action} in ${outcome.file} (0600; ${outcome.accepted} token(s) accepted); restart the bridge to use it, then give the IdP the new token\n`)
  }
  // The environment wins over the file: say so rather than let an operator wonder why nothing changed.
  if (setup.overriddenBy !== null) {
    process.stderr.write(`note: ${setup.overriddenBy} is set and takes precedence over the token file: put the new token first in it ("<new>,<current>"), restart, update the IdP, then drop the old one\n`)
  }
  return 0
}
