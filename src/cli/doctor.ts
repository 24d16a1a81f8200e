import { parseArgs } from 'node:util'
import { loadConfig } from '../config/load.js'
import { createSinchClient } from '../sinch/index.js'
import { createStore } from '../store/index.js'
import { loadMappingFile } from '../provisioning/mapping-file.js'
import { createLogger } from '../observability/logger.js'

const HELP = `Usage: sinch-scim-bridge doctor

Checks the configuration, the database, the Sinch credentials (fetches a token) and each managed
project (lists one page), and prints a table of what works and what does not. Exit code 0 when all pass.
`

interface Row { check: string, ok: boolean, detail: string }

async function attempt (rows: Row[], check: string, fn: () => Promise<string>): Promise<boolean> {
  try {
    rows.push({ check, ok: true, detail: await fn() })
    return true
  } catch (err) {
    rows.push({ check, ok: false, detail: (err as Error).message })
    return false
  }
}

export async function doctorCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  const rows: Row[] = []
  const loaded = loadConfig()
  if (!loaded.ok) {
    for (const p of loaded.problems) rows.push({ check: 'configuration', ok: false, detail: p })
  } else {
    const c = loaded.config
    rows.push({ check: 'configuration', ok: true, detail: c.sandbox ? 'sandbox mode (no Sinch key)' : `live, ${c.projects.managed.length} managed project(s)` })
    if (c.mappingFile !== undefined) await attempt(rows, 'mapping file', async () => `${loadMappingFile(c.mappingFile ?? '', c.projects.managed).size} group(s)`)
    await attempt(rows, 'database', async () => {
      const store = await createStore(c.databaseUrl)
      try {
        await store.ping()
        return `${store.kind} reachable, migrations applied`
      } finally {
        await store.close()
      }
    })
    if (c.sandbox) {
      rows.push({ check: 'sinch', ok: true, detail: 'skipped in sandbox mode' })
    } else {
      const sinch = createSinchClient({ apiUrl: c.sinch.apiUrl ?? '', authUrl: c.sinch.authUrl ?? '', keyId: c.sinch.keyId, keySecret: c.sinch.keySecret, authMode: c.sinch.authMode, apiStyle: c.sinch.apiStyle, logger: createLogger('silent'), retry: { maxAttempts: 2, deadlineMs: 15_000 } })
      try {
        const tokenOk = await attempt(rows, 'sinch credentials', async () => {
          await sinch.fetchToken()
          return c.sinch.authMode === 'oauth' ? 'token obtained' : 'basic mode (checked by the project listing)'
        })
        if (tokenOk) {
          for (const p of c.projects.managed) {
            await attempt(rows, `project ${p}`, async () => {
              const page = await sinch.listPage(p, undefined, 1)
              return `listable${page.members.length > 0 ? '' : ' (no members)'}`
            })
          }
        }
      } finally {
        await sinch.close()
      }
    }
  }
  const width = Math.max(...rows.map((r) => r.check.length))
  for (const r of rows) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.check.padEnd(width)}  ${r.detail}\n`)
  return rows.every((r) => r.ok) ? 0 : 1
}
