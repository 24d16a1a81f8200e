import { parseArgs } from 'node:util'
import { rulesFrom } from '../main.js'
import { catalogueOf } from '../provisioning/rules.js'
import { entraAppRoles, oktaResourceTypeSettings } from '../provisioning/role-manifest.js'
import { configOrExit } from './common.js'

const HELP = `Usage: sinch-scim-bridge roles [--entra | --okta | --list] [--json]

The Sinch roles an IdP may assign directly (managed projects × roles, filtered by the mapping
file's "roles" list and ALLOW_OWNER), as each IdP needs them:
  --entra  the "appRoles" array to paste into the Entra app registration's manifest; ids are
           derived from the values, so running it again gives the same ids
  --okta   the resource-type settings for Okta's "SCIM Entitlement Management"
  --list   value, display name and description, one role per line
  --json   all three as one JSON object: { roles, entra: { appRoles }, okta }
Without an option, prints all three.
`

export async function rolesCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, entra: { type: 'boolean' }, okta: { type: 'boolean' }, list: { type: 'boolean' }, json: { type: 'boolean' } } })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  const config = configOrExit()
  if (typeof config === 'number') return config
  let roles
  try {
    roles = catalogueOf(rulesFrom(config)).roles
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    return 2
  }
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ roles, entra: { appRoles: entraAppRoles(roles) }, okta: oktaResourceTypeSettings(roles) }, null, 2)}\n`)
    return 0
  }
  const all = values.entra !== true && values.okta !== true && values.list !== true
  const out: string[] = []
  if (all || values.list === true) out.push(...roles.map((r) => `${r.value}\t${r.display}\t${r.description}`))
  if (all || values.entra === true) out.push(`${all ? '# Entra: manifest "appRoles"\n' : ''}${JSON.stringify({ appRoles: entraAppRoles(roles) }, null, 2)}`)
  if (all || values.okta === true) out.push(`${all ? '# Okta: SCIM Entitlement Management\n' : ''}${JSON.stringify(oktaResourceTypeSettings(roles), null, 2)}`)
  process.stdout.write(`${out.join('\n')}\n`)
  return 0
}
