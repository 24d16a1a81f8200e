import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config/load.js'
import { createSinchClient, SYNC_PAGE_SIZE } from '../sinch/index.js'
import { diagnose, type Diagnosis, type ProjectDiagnosis } from '../sinch/diagnose.js'
import { TranscriptRecorder } from '../sinch/transcript.js'
import { createStore } from '../store/index.js'
import { loadMappingFile } from '../provisioning/mapping-file.js'
import { createLogger } from '../observability/logger.js'

const HELP = `Usage: sinch-scim-bridge doctor [--json] [--record FILE]

Checks the configuration, the database, the Sinch credentials (fetches a token and reports its
lifetime) and, read-only, each managed project: which API style answers (v1 and guide are both
tried), the page size Sinch honours, that page 2 differs from page 1, the member fields and the
role/status values seen (as counts; no email is printed), unknown fields and rate-limit headers.
On 401/403/404 it says what each most likely means. Exit code 0 when all pass, 1 otherwise.

  --json          print the result as JSON (for scripts)
  --record FILE   also write a redacted transcript of the Sinch probe to FILE (no secrets or
                  tokens; emails, names and ids replaced by placeholders): attach it to a bug report
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

const counts = (c: Record<string, number>): string => Object.entries(c).map(([k, n]) => `${k === '' ? '(none)' : k}×${n}`).join(', ') || '(no members)'

function projectRows (p: ProjectDiagnosis): Row[] {
  const probes = p.probes.map((x) => `${x.style} ${x.status ?? 'no answer'}`).join(', ')
  if (p.style === null || p.problem !== null) {
    return [{ check: `project ${p.projectId}`, ok: false, detail: `${p.problem?.status ?? ''} ${p.problem?.code ?? ''}: ${p.problem?.meaning ?? 'no style answered'} (probes: ${probes})`.trim() }]
  }
  return [
    { check: `project ${p.projectId}`, ok: true, detail: `listable, API style ${p.style} (probes: ${probes})` },
    { check: '  paging', ok: p.pagingAdvances !== false, detail: `page size ${p.pageSizeHonoured ?? '?'} of ${p.pageSizeAsked} asked; ${p.pagingAdvances === null ? 'one page only' : 'page 2 differs from page 1'}` },
    { check: '  members', ok: true, detail: `fields ${p.memberFields.join(', ') || '(none)'}${p.unknownFields.length > 0 ? `; unknown: ${p.unknownFields.join(', ')}` : ''}` },
    { check: '  roles', ok: true, detail: `${counts(p.roles)}${p.unknownRoles.length > 0 ? `; not in SINCH_ROLE_MAP (kept as UNKNOWN, never changed): ${p.unknownRoles.join(', ')}` : ''}` },
    { check: '  statuses', ok: true, detail: counts(p.statuses) },
    { check: '  rate limits', ok: true, detail: Object.keys(p.rateLimitHeaders).length === 0 ? 'no rate-limit headers seen' : Object.entries(p.rateLimitHeaders).map(([k, v]) => `${k}: ${v}`).join('; ') }
  ]
}

function sinchRows (d: Diagnosis): Row[] {
  const c = d.credentials
  if (!c.ok) return [{ check: 'sinch credentials', ok: false, detail: `Sinch credentials rejected (${c.problem?.status ?? 'no answer'}): ${c.problem?.meaning ?? ''}` }]
  const rows: Row[] = [{ check: 'sinch credentials', ok: true, detail: c.mode === 'oauth' ? `token obtained, lifetime ${c.tokenLifetimeSec ?? '?'} s` : 'basic mode (checked by the project listing)' }]
  for (const p of d.projects) rows.push(...projectRows(p))
  return rows
}

export async function doctorCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, record: { type: 'string' } } })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  const rows: Row[] = []
  let diagnosis: Diagnosis | null = null
  const loaded = loadConfig()
  if (!loaded.ok) {
    for (const p of loaded.problems) rows.push({ check: 'configuration', ok: false, detail: p })
  } else {
    const c = loaded.config
    rows.push({ check: 'configuration', ok: true, detail: c.sandbox ? 'sandbox mode (no Sinch key)' : `live, ${c.projects.managed.length} managed project(s), SINCH_API_STYLE=${c.sinch.apiStyle}` })
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
      const recorder = values.record === undefined ? null : new TranscriptRecorder([c.sinch.keySecret])
      const sinch = createSinchClient({
        apiUrl: c.sinch.apiUrl ?? '',
        authUrl: c.sinch.authUrl ?? '',
        keyId: c.sinch.keyId,
        keySecret: c.sinch.keySecret,
        authMode: c.sinch.authMode,
        apiStyle: c.sinch.apiStyle,
        roleMap: c.sinch.roleMap,
        logger: createLogger('silent'),
        retry: { maxAttempts: 2, deadlineMs: 15_000 },
        ...(recorder === null ? {} : { onExchange: (x) => recorder.record(x) })
      })
      try {
        diagnosis = await diagnose(sinch, { projects: c.projects.managed, setting: c.sinch.apiStyle, authMode: c.sinch.authMode, roleMap: c.sinch.roleMap, pageSize: SYNC_PAGE_SIZE })
        rows.push(...sinchRows(diagnosis))
      } finally {
        await sinch.close()
      }
      if (recorder !== null && values.record !== undefined) {
        const t = recorder.transcript({ recordedAt: new Date().toISOString(), source: new URL(c.sinch.apiUrl ?? 'http://unknown').host, setting: c.sinch.apiStyle, authMode: c.sinch.authMode, projects: c.projects.managed, roleMap: c.sinch.roleMap, expect: diagnosis })
        writeFileSync(values.record, `${JSON.stringify(t, null, 2)}\n`, { mode: 0o600 })
        rows.push({ check: 'transcript', ok: true, detail: `written to ${values.record} (${t.exchanges.length} exchanges, redacted)` })
      }
    }
  }
  const ok = rows.every((r) => r.ok)
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ ok, checks: rows, sinch: diagnosis }, null, 2)}\n`)
  } else {
    const width = Math.max(...rows.map((r) => r.check.length))
    for (const r of rows) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.check.padEnd(width)}  ${r.detail}\n`)
  }
  return ok ? 0 : 1
}
