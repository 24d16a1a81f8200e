import { parseArgs } from 'node:util'
import { createStore } from '../store/index.js'
import { configOrExit } from './common.js'

const HELP = `Usage: sinch-scim-bridge audit [--user ID] [--project P] [--email E] [--since 24h|7d|ISO] [--limit N] [--json]

Recent Sinch changes the bridge made or tried (invite, role change, suspend, remove, adopt),
newest first, with the SCIM user, the rule that caused it and the outcome.
  --user ID        one SCIM user (its id)
  --project P      one Sinch project
  --email E        one member address
  --since S        newer than 30m, 24h, 7d or an ISO date-time
  --limit N        at most N entries (1 to 10000, default 50)
  --json           print the entries as JSON (for scripts)
`

function since (v: string | undefined): string | undefined {
  if (v === undefined) return undefined
  const rel = /^(\d+)([mhd])$/.exec(v)
  if (rel !== null) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd']
    return new Date(Date.now() - Number(rel[1]) * unit).toISOString()
  }
  const t = Date.parse(v)
  if (Number.isNaN(t)) throw new Error(`--since: "${v}" is neither a duration (30m, 24h, 7d) nor a date`)
  return new Date(t).toISOString()
}

export async function auditCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      user: { type: 'string' },
      project: { type: 'string' },
      email: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string', default: '50' },
      json: { type: 'boolean' }
    }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  const config = configOrExit()
  if (typeof config === 'number') return config
  const limit = Number(values.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    process.stderr.write('--limit: a whole number from 1 to 10000\n')
    return 2
  }
  let sinceIso: string | undefined
  try {
    sinceIso = since(values.since)
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    return 2
  }
  const store = await createStore(config.databaseUrl)
  try {
    const entries = await store.listAudit({
      limit,
      ...(values.user === undefined ? {} : { scimUserId: values.user }),
      ...(values.project === undefined ? {} : { projectId: values.project }),
      ...(values.email === undefined ? {} : { email: values.email.toLowerCase() }),
      ...(sinceIso === undefined ? {} : { since: sinceIso })
    })
    if (values.json === true) {
      process.stdout.write(JSON.stringify(entries, null, 2) + '\n')
      return 0
    }
    if (entries.length === 0) process.stdout.write('no audit entries match\n')
    for (const e of entries) {
      const role = e.toRole === null ? '' : ` ${e.fromRole ?? ''}${e.fromRole === null ? '' : '->'}${e.toRole}`
      process.stdout.write(`${e.at}  ${e.projectId}  ${e.email}  ${e.action}${role}  ${e.outcome}  user=${e.scimUserId ?? '-'}  rule="${e.rule}"${e.detail === null ? '' : `  ${e.detail}`}\n`)
    }
    return 0
  } finally {
    await store.close()
  }
}
