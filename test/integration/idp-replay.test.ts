import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.js'
import { FixtureSchema, type FixtureExchange, type FixtureExpectation } from '../support/fixture-schema.js'
import { createRoleCatalogue } from '../../src/provisioning/role-catalogue.js'

const ROOT = resolve(import.meta.dirname, '../fixtures/idp')
/** The catalogue every fixture sees, as a bridge managing these two projects would offer it (role-catalogue.ts). */
const roleCatalogue = createRoleCatalogue({ managedProjects: ['prj-123', 'prj-456'], allowOwner: false })
const files = ['okta', 'entra'].flatMap((idp) => readdirSync(join(ROOT, idp)).filter((f) => f.endsWith('.json')).map((f) => `${idp}/${f}`)).sort()

function fill (v: unknown, vars: Map<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars.get(k) ?? `{{${k}}}`)
  if (Array.isArray(v)) return v.map((x) => fill(x, vars))
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, vars)]))
  return v
}

function at (obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj)
}

async function run (t: TestApp, ex: FixtureExchange, vars: Map<string, string>, auth: string | undefined): Promise<Awaited<ReturnType<TestApp['request']>>> {
  const headers = fill(ex.headers ?? {}, vars) as Record<string, string>
  if (auth === 'none') headers.authorization = ''
  if (auth === 'wrong') headers.authorization = 'Bearer not-the-right-token-at-all'
  const path = `/scim/v2${fill(ex.path, vars) as string}${ex.query === undefined ? '' : `?${fill(ex.query, vars) as string}`}`
  const body = ex.body === undefined ? undefined : fill(ex.body, vars)
  const res = await t.request(ex.method, path, { headers, ...(body === undefined ? {} : typeof body === 'string' ? { raw: body } : { body }) })
  for (const [name, p] of Object.entries(ex.capture ?? {})) vars.set(name, String(at(res.body, p)))
  return res
}

function check (res: Awaited<ReturnType<TestApp['request']>>, raw: FixtureExpectation, label: string, vars: Map<string, string>): void {
  const e = fill(raw, vars) as FixtureExpectation
  expect(res.status, `${label}: ${res.text.slice(0, 400)}`).toBe(e.status)
  for (const [h, v] of Object.entries(e.headers ?? {})) expect(res.headers.get(h) ?? '', `${label} header ${h}`).toContain(v)
  if (e.bodyEmpty === true) expect(res.text).toBe('')
  if (e.body !== undefined) expect(res.body, label).toMatchObject(e.body as object)
  for (const p of e.absent ?? []) expect(at(res.body, p), `${label}: ${p} must be absent`).toBeUndefined()
}

describe('IdP replay fixtures', () => {
  it('has at least 30 fixtures, 15 per IdP', () => {
    expect(files.filter((f) => f.startsWith('okta/')).length).toBeGreaterThanOrEqual(15)
    expect(files.filter((f) => f.startsWith('entra/')).length).toBeGreaterThanOrEqual(15)
  })

  it.each(files)('%s', async (file) => {
    const fixture = FixtureSchema.parse(JSON.parse(readFileSync(join(ROOT, file), 'utf8')))
    const t = await buildTestApp({ roleCatalogue })
    try {
      const vars = new Map<string, string>()
      for (const [i, step] of (fixture.setup ?? []).entries()) {
        const res = await run(t, step, vars, 'token')
        expect(res.status, `setup step ${i + 1}: ${res.text.slice(0, 300)}`).toBeLessThan(300)
      }
      check(await run(t, fixture.request, vars, fixture.auth), fixture.expect, 'request', vars)
      if (fixture.expectAfter !== undefined) check(await run(t, fixture.expectAfter.request, vars, 'token'), fixture.expectAfter.expect, 'follow-up', vars)
    } finally {
      await t.close()
    }
  })
})
