import { describe, expect, it } from 'vitest'
import { createRoleCatalogue } from '../../../src/provisioning/role-catalogue.js'
import { desiredAccess, type RulesConfig } from '../../../src/provisioning/rules.js'
import type { ProvisioningSubject } from '../../../src/domain/subjects.js'
import { assignedRoleValues } from '../../../src/store/assigned-roles.js'

describe('role catalogue', () => {
  it('is managed projects × READONLY, MEMBER, ADMIN in a stable order, OWNER only with ALLOW_OWNER', () => {
    const c = createRoleCatalogue({ managedProjects: ['prj-1', 'prj-2'], allowOwner: false })
    expect(c.roles.map((r) => r.value)).toEqual(['prj-1:READONLY', 'prj-1:MEMBER', 'prj-1:ADMIN', 'prj-2:READONLY', 'prj-2:MEMBER', 'prj-2:ADMIN'])
    expect(c.roles[2]).toEqual({ value: 'prj-1:ADMIN', project: 'prj-1', role: 'ADMIN', display: 'prj-1 — Admin', description: 'Sinch role ADMIN in project prj-1' })
    const owners = createRoleCatalogue({ managedProjects: ['prj-1'], allowOwner: true })
    expect(owners.roles.map((r) => r.role)).toEqual(['READONLY', 'MEMBER', 'ADMIN', 'OWNER'])
  })

  it('offers only the pairs the mapping file lists, and never OWNER without ALLOW_OWNER', () => {
    const c = createRoleCatalogue({ managedProjects: ['prj-1', 'prj-2'], allowOwner: false, offered: [{ project: 'prj-2', role: 'ADMIN' }, { project: 'prj-1', role: 'OWNER' }] })
    expect(c.roles.map((r) => r.value)).toEqual(['prj-2:ADMIN'])
  })

  it('resolves a value case-insensitively or a display name, and nothing else', () => {
    const c = createRoleCatalogue({ managedProjects: ['prj-1'], allowOwner: false })
    expect(c.resolve('PRJ-1:admin')?.value).toBe('prj-1:ADMIN')
    expect(c.resolve('prj-1 — Admin')?.value).toBe('prj-1:ADMIN')
    expect(c.resolve('prj-1:OWNER')).toBeNull()
    expect(c.resolve('Admin')).toBeNull()
    expect(c.resolve('prj-9:ADMIN')).toBeNull()
  })
})

describe('assignedRoleValues', () => {
  it('reads values, unwraps Entra\'s stringified element and ignores empty entries', () => {
    expect(assignedRoleValues({ roles: [{ value: 'p1:ADMIN', primary: true }, { value: '{"id":"x","value":"p2:MEMBER","displayName":"p2"}' }, { value: '' }, null, { display: 'no value' }] })).toEqual(['p1:ADMIN', 'p2:MEMBER'])
    expect(assignedRoleValues({})).toEqual([])
  })
})

const rules: RulesConfig = { managedProjects: ['p1', 'p2', 'p3'], defaultProjects: ['p1'], defaultRole: 'MEMBER', allowOwner: false, deactivateAction: 'remove', adoptExisting: 'same-or-lower-role', mapping: null }
const subject = (over: Partial<ProvisioningSubject>): ProvisioningSubject => ({ userId: 'u1', userName: 'ann@example.com', active: true, deleted: false, emails: [], groups: [], ...over })
const view = (s: ProvisioningSubject, r: RulesConfig = rules): Record<string, string> =>
  Object.fromEntries([...desiredAccess(s, r).projects].map(([p, d]) => [p, d.kind === 'member' ? `${d.role} (${d.rule})` : d.kind]))

describe('desiredAccess with assigned roles', () => {
  it('an assigned ADMIN raises the default MEMBER and grants a project no group grants', () => {
    expect(view(subject({ roles: ['p1:ADMIN', 'p3:READONLY'] }))).toEqual({ p1: 'ADMIN (assigned role "p1:ADMIN")', p2: 'none', p3: 'READONLY (assigned role "p3:READONLY")' })
  })

  it('the highest grant wins: a group ADMIN beats an assigned READONLY, a lower assignment changes nothing', () => {
    const s = subject({ roles: ['p2:READONLY', 'p1:READONLY'], groups: [{ id: 'g', displayName: 'sinch:p2:ADMIN', externalId: null }] })
    expect(view(s)).toEqual({ p1: 'MEMBER (default projects)', p2: 'ADMIN (group "sinch:p2:ADMIN" (naming convention))', p3: 'none' })
  })

  it('an assigned OWNER is not in the catalogue without ALLOW_OWNER and grants nothing; with it, it wins', () => {
    expect(view(subject({ roles: ['p1:OWNER'] }))).toMatchObject({ p1: 'MEMBER (default projects)' })
    expect(view(subject({ roles: ['p1:OWNER'] }), { ...rules, allowOwner: true })).toMatchObject({ p1: 'OWNER (assigned role "p1:OWNER")' })
  })

  it('a stored value no longer offered grants nothing; a deactivated user holds nothing whatever is assigned', () => {
    expect(view(subject({ roles: ['p9:ADMIN', 'p2:ADMIN'] }), { ...rules, offeredRoles: [{ project: 'p3', role: 'ADMIN' }] })).toEqual({ p1: 'MEMBER (default projects)', p2: 'none', p3: 'none' })
    expect(view(subject({ roles: ['p2:ADMIN'], active: false }))).toEqual({ p1: 'none', p2: 'none', p3: 'none' })
  })
})

describe('mapping file roles', () => {
  it('reads an optional roles list beside groups and names an unmanaged project', async () => {
    const { parseMappingDocument, MappingFileError } = await import('../../../src/provisioning/mapping-file.js')
    const doc = parseMappingDocument('{"groups":{"Admins":[{"project":"p1","role":"ADMIN"}]},"roles":[{"project":"p1","role":"admin"}]}', 'json', ['p1'])
    expect(doc.roles).toEqual([{ project: 'p1', role: 'ADMIN' }])
    expect(doc.groups.get('admins')).toEqual([{ project: 'p1', role: 'ADMIN' }])
    expect(parseMappingDocument('roles:\n  - { project: p1, role: MEMBER }\n', 'yaml', ['p1']).groups.size).toBe(0)
    expect(parseMappingDocument('{"Admins":[]}', 'json', ['p1']).roles).toBeNull()
    expect(() => parseMappingDocument('{"roles":[{"project":"p9","role":"ADMIN"}]}', 'json', ['p1'])).toThrow(MappingFileError)
  })
})

/** The id a deployment pastes into Entra for prj-1:ADMIN: if it changed, every existing assignment would be orphaned. */
const ID_OF_PRJ1_ADMIN = '497d3fed-9309-5c6d-991d-390549b09270'

describe('Entra app roles', () => {
  it('derive each id from the value alone: pinned, because an id Entra already holds must never move', async () => {
    const { entraAppRoles } = await import('../../../src/provisioning/role-manifest.js')
    const one = entraAppRoles(createRoleCatalogue({ managedProjects: ['prj-1'], allowOwner: false }).roles)
    const two = entraAppRoles(createRoleCatalogue({ managedProjects: ['prj-0', 'prj-1'], allowOwner: true }).roles)
    const admin = one.find((r) => r.value === 'prj-1:ADMIN')
    expect(admin?.id).toBe(two.find((r) => r.value === 'prj-1:ADMIN')?.id)
    expect(admin?.id).toBe(ID_OF_PRJ1_ADMIN)
  })
})
