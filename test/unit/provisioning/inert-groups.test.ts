import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../src/observability/logger.js'
import { warnOnInertGroups } from '../../../src/provisioning/inert-group-warning.js'
import { parseMapping } from '../../../src/provisioning/mapping-file.js'
import { inertGrantReasons, type RulesConfig } from '../../../src/provisioning/rules.js'
import type { GroupInput } from '../../../src/domain/groups.js'
import type { GroupRecord } from '../../../src/domain/groups.js'

const rules: RulesConfig = {
  managedProjects: ['p1', 'p2'],
  defaultProjects: ['p1'],
  defaultRole: 'MEMBER',
  allowOwner: false,
  deactivateAction: 'remove',
  adoptExisting: 'same-or-lower-role',
  mapping: null
}
const group = (displayName: string, externalId: string | null = null): { displayName: string, externalId: string | null } => ({ displayName, externalId })

describe('inertGrantReasons (naming convention)', () => {
  it('a working grant, and a group that is not the bridge\'s, are not inert', () => {
    expect(inertGrantReasons(group('sinch:p1:ADMIN'), rules)).toEqual([])
    expect(inertGrantReasons(group('sinch:p2:readonly'), rules)).toEqual([])
    expect(inertGrantReasons(group('Engineering'), rules)).toEqual([])
  })
  it('an unmanaged project, an unknown role, a malformed name', () => {
    expect(inertGrantReasons(group('sinch:not-managed-prj:ADMIN'), rules)).toEqual(['project "not-managed-prj" is not in SINCH_PROJECT_IDS'])
    expect(inertGrantReasons(group('sinch:p1:SUPERUSER'), rules)).toEqual(['"SUPERUSER" is not a role (READONLY, MEMBER, ADMIN, OWNER)'])
    expect(inertGrantReasons(group('sinch:p1'), rules)).toEqual(['"sinch:p1" is not sinch:<projectId>:<ROLE>'])
  })
  it('OWNER only with ALLOW_OWNER', () => {
    expect(inertGrantReasons(group('sinch:p1:OWNER'), rules)).toEqual(['OWNER in "p1" is granted only with ALLOW_OWNER=true'])
    expect(inertGrantReasons(group('sinch:p1:OWNER'), { ...rules, allowOwner: true })).toEqual([])
  })
})

describe('inertGrantReasons (mapping file)', () => {
  const mapping = parseMapping(JSON.stringify({ groups: { Owners: [{ project: 'p1', role: 'OWNER' }], Mixed: [{ project: 'p1', role: 'OWNER' }, { project: 'p2', role: 'ADMIN' }] } }), 'json', rules.managedProjects)
  const withMap = { ...rules, mapping }
  it('an unmapped group is not the bridge\'s; a mapped one matches by displayName or externalId', () => {
    expect(inertGrantReasons(group('sinch:not-managed-prj:ADMIN'), withMap)).toEqual([])
    expect(inertGrantReasons(group('Owners'), withMap)).toEqual(['OWNER in "p1" is granted only with ALLOW_OWNER=true'])
    expect(inertGrantReasons(group('Renamed', 'owners'), withMap)).toHaveLength(1)
  })
  it('one usable grant among several is a working group', () => {
    expect(inertGrantReasons(group('Mixed'), withMap)).toEqual([])
  })
})

describe('warnOnInertGroups', () => {
  function setup (): { lines: Array<{ msg: string, group: string, reasons: string[] }>, dir: ReturnType<typeof warnOnInertGroups<{ createGroup: (g: GroupInput) => Promise<GroupRecord>, replaceGroup: (id: string, g: GroupInput, v: number | null) => Promise<GroupRecord> }>> } {
    const lines: Array<{ msg: string, group: string, reasons: string[] }> = []
    const logger = createLogger('info', { write: (s: string) => { lines.push(JSON.parse(s)) } })
    const record = (id: string, g: GroupInput): GroupRecord => ({ id, displayName: g.displayName, externalId: g.externalId, memberIds: g.memberIds, resource: g.resource, version: 1, created: '', lastModified: '' })
    const inner = { createGroup: async (g: GroupInput) => record('g1', g), replaceGroup: async (id: string, g: GroupInput) => record(id, g) }
    return { lines, dir: warnOnInertGroups(inner, rules, logger) }
  }
  const input = (displayName: string): GroupInput => ({ displayName, externalId: null, memberIds: [], resource: {} })

  it('warns once per group and name, still returns the stored group, and is silent for working groups', async () => {
    const { lines, dir } = setup()
    expect((await dir.createGroup(input('sinch:nope:ADMIN'))).id).toBe('g1')
    await dir.replaceGroup('g1', input('sinch:nope:ADMIN'), null)
    expect(lines.map((l) => [l.msg, l.group, l.reasons])).toEqual([['group grants nothing in Sinch', 'sinch:nope:ADMIN', ['project "nope" is not in SINCH_PROJECT_IDS']]])
    await dir.replaceGroup('g1', input('sinch:p1:OWNER'), null)
    expect(lines).toHaveLength(2)
    await dir.replaceGroup('g1', input('sinch:p1:ADMIN'), null)
    await dir.createGroup(input('Engineering'))
    expect(lines).toHaveLength(2)
  })
})
