import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { CLI } from '../support/child-bridge.js'

const run = promisify(execFile)

async function roles (args: string[], env: Record<string, string>): Promise<{ code: number, out: string, err: string }> {
  try {
    const r = await run(process.execPath, [CLI, 'roles', ...args], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env } })
    return { code: 0, out: r.stdout, err: r.stderr }
  } catch (e) {
    const err = e as { code: number, stdout: string, stderr: string }
    return { code: err.code, out: err.stdout, err: err.stderr }
  }
}

describe('roles (built CLI): what to paste into Entra and Okta', () => {
  const dir = mkdtempSync(join(tmpdir(), 'roles-'))
  const env = { SINCH_PROJECT_IDS: 'prj-1,prj-2', DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'b.db')}` }

  it('--entra prints the appRoles array; ids are UUIDs derived from the values, the same on every run', async () => {
    const first = await roles(['--entra'], env)
    expect(first.code).toBe(0)
    const { appRoles } = JSON.parse(first.out) as { appRoles: Array<{ id: string, value: string, displayName: string, allowedMemberTypes: string[], isEnabled: boolean }> }
    expect(appRoles.map((r) => r.value)).toEqual(['prj-1:READONLY', 'prj-1:MEMBER', 'prj-1:ADMIN', 'prj-2:READONLY', 'prj-2:MEMBER', 'prj-2:ADMIN'])
    expect(appRoles.every((r) => /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(r.id))).toBe(true)
    expect(new Set(appRoles.map((r) => r.id)).size).toBe(6)
    expect(appRoles[2]).toMatchObject({ displayName: 'prj-1 — Admin', allowedMemberTypes: ['User'], isEnabled: true })
    // A second run, and one with another project added, keep every existing id.
    const again = JSON.parse((await roles(['--entra'], env)).out) as { appRoles: Array<{ id: string }> }
    expect(again.appRoles.map((r) => r.id)).toEqual(appRoles.map((r) => r.id))
    const more = JSON.parse((await roles(['--entra'], { ...env, SINCH_PROJECT_IDS: 'prj-0,prj-1,prj-2' })).out) as { appRoles: Array<{ id: string, value: string }> }
    expect(more.appRoles.filter((r) => r.value.startsWith('prj-1') || r.value.startsWith('prj-2')).map((r) => r.id)).toEqual(appRoles.map((r) => r.id))
  })

  it('--json prints all three as one object, the same appRoles as --entra', async () => {
    const r = await roles(['--json'], env)
    expect(r.code).toBe(0)
    const all = JSON.parse(r.out) as { roles: Array<{ value: string }>, entra: { appRoles: unknown[] }, okta: unknown }
    expect(all.roles.map((x) => x.value)).toHaveLength(6)
    expect(all.entra).toEqual(JSON.parse((await roles(['--entra'], env)).out))
    expect(all.okta).toEqual(JSON.parse((await roles(['--okta'], env)).out))
  })

  it('--okta prints the resource-type settings; the mapping file and ALLOW_OWNER shape the list', async () => {
    const okta = JSON.parse((await roles(['--okta'], env)).out) as Record<string, unknown>
    expect(okta).toMatchObject({ resourceType: 'Role', endpoint: '/Roles', schemaMapping: { id: 'id', displayName: 'displayName' }, roles: 6 })
    const file = join(dir, 'mapping.yaml')
    writeFileSync(file, 'groups: {}\nroles:\n  - { project: prj-2, role: ADMIN }\n  - { project: prj-2, role: OWNER }\n')
    const list = await roles(['--list'], { ...env, MAPPING_FILE: file, ALLOW_OWNER: 'true' })
    expect(list.out.trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['prj-2:ADMIN', 'prj-2:OWNER'])
  })

  it('a mapping file naming an unmanaged project stops it with exit 2, naming the key', async () => {
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'roles:\n  - { project: prj-9, role: ADMIN }\n')
    const r = await roles([], { ...env, MAPPING_FILE: file })
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/roles\.0\.project: "prj-9" is not a managed project/)
  })
})
