import { describe, expect, it } from 'vitest'
import { desiredAccess, identityEmail, type RulesConfig } from '../../../src/provisioning/rules.js'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadMappingFile, parseMapping, MappingFileError } from '../../../src/provisioning/mapping-file.js'
import type { ProvisioningSubject } from '../../../src/domain/subjects.js'

const base: RulesConfig = {
  managedProjects: ['p1', 'p2', 'p3'],
  defaultProjects: ['p1', 'p2'],
  defaultRole: 'MEMBER',
  allowOwner: false,
  deactivateAction: 'remove',
  adoptExisting: 'same-or-lower-role',
  mapping: null
}

function subject (over: Partial<ProvisioningSubject> = {}): ProvisioningSubject {
  return { userId: 'u1', userName: 'ann@example.com', active: true, deleted: false, emails: [{ value: 'Ann@Example.com', type: 'work', primary: true }], groups: [], ...over }
}

const kinds = (d: ReturnType<typeof desiredAccess>): Record<string, string> =>
  Object.fromEntries([...d.projects].map(([p, v]) => [p, v.kind === 'member' ? v.role : v.kind]))

describe('identityEmail', () => {
  it('prefers the primary email', () => {
    expect(identityEmail([{ value: 'a@x.io', type: 'home' }, { value: 'b@x.io', primary: true }], 'u')).toBe('b@x.io')
  })
  it('falls back to the first work email, then the first email', () => {
    expect(identityEmail([{ value: 'h@x.io', type: 'home' }, { value: 'w@x.io', type: 'Work' }], 'u')).toBe('w@x.io')
    expect(identityEmail([{ value: 'h@x.io', type: 'home' }, { value: 'o@x.io', type: 'other' }], 'u')).toBe('h@x.io')
  })
  it('falls back to a userName that is an email, else none', () => {
    expect(identityEmail([], 'UPN@corp.example')).toBe('UPN@corp.example')
    expect(identityEmail([], 'jdoe')).toBeNull()
    expect(identityEmail([{ value: 'not-an-email' }], 'jdoe')).toBeNull()
  })
  it('skips unusable emails even when primary', () => {
    expect(identityEmail([{ value: 'broken', primary: true }, { value: 'ok@x.io' }], 'u')).toBe('ok@x.io')
  })
})

describe('desiredAccess', () => {
  it('grants the default role in each default project and nothing elsewhere', () => {
    const d = desiredAccess(subject(), base)
    expect(kinds(d)).toEqual({ p1: 'MEMBER', p2: 'MEMBER', p3: 'none' })
    expect(d.email).toBe('ann@example.com')
    expect(d.emailAsSent).toBe('Ann@Example.com')
  })

  it('with no default projects only groups grant access', () => {
    const d = desiredAccess(subject({ groups: [{ id: 'g', displayName: 'sinch:p3:ADMIN', externalId: null }] }), { ...base, defaultProjects: [] })
    expect(kinds(d)).toEqual({ p1: 'none', p2: 'none', p3: 'ADMIN' })
  })

  it('takes the highest grant per project (naming convention, any case of role)', () => {
    const groups = [
      { id: 'g1', displayName: 'sinch:p1:readonly', externalId: null },
      { id: 'g2', displayName: 'sinch:p1:ADMIN', externalId: null },
      { id: 'g3', displayName: 'sinch:p2:READONLY', externalId: null }
    ]
    const d = desiredAccess(subject({ groups }), base)
    expect(kinds(d)).toEqual({ p1: 'ADMIN', p2: 'MEMBER', p3: 'none' })
    expect(d.projects.get('p1')).toMatchObject({ rule: 'group "sinch:p1:ADMIN" (naming convention)' })
  })

  it('ignores unmanaged projects and malformed convention names', () => {
    const groups = [
      { id: 'g1', displayName: 'sinch:other:ADMIN', externalId: null },
      { id: 'g2', displayName: 'sinch:p3:GOD', externalId: null },
      { id: 'g3', displayName: 'sinch:p3', externalId: null }
    ]
    expect(kinds(desiredAccess(subject({ groups }), base))).toEqual({ p1: 'MEMBER', p2: 'MEMBER', p3: 'none' })
  })

  it('never grants OWNER unless allowed, falling back to the next grant', () => {
    const groups = [{ id: 'g', displayName: 'sinch:p1:OWNER', externalId: null }, { id: 'g2', displayName: 'sinch:p3:OWNER', externalId: null }]
    expect(kinds(desiredAccess(subject({ groups }), base))).toEqual({ p1: 'MEMBER', p2: 'MEMBER', p3: 'none' })
    expect(kinds(desiredAccess(subject({ groups }), { ...base, allowOwner: true }))).toEqual({ p1: 'OWNER', p2: 'MEMBER', p3: 'OWNER' })
  })

  it('uses the mapping file by displayName or externalId, case-insensitively, instead of the convention', () => {
    const mapping = parseMapping(JSON.stringify({ groups: { Engineers: [{ project: 'p3', role: 'admin' }], 'okta-00g1': [{ project: 'p1', role: 'READONLY' }, { project: 'p2', role: 'ADMIN' }] } }), 'json', base.managedProjects)
    const groups = [
      { id: 'g1', displayName: 'engineers', externalId: null },
      { id: 'g2', displayName: 'Renamed In Okta', externalId: 'OKTA-00G1' },
      { id: 'g3', displayName: 'sinch:p1:ADMIN', externalId: null }
    ]
    const d = desiredAccess(subject({ groups }), { ...base, mapping })
    expect(kinds(d)).toEqual({ p1: 'MEMBER', p2: 'ADMIN', p3: 'ADMIN' })
  })

  it.each([
    ['remove', 'none'],
    ['suspend', 'suspended'],
    ['readonly', 'readonly']
  ] as const)('a deactivated user gets DEACTIVATE_ACTION=%s everywhere', (action, kind) => {
    const d = desiredAccess(subject({ active: false, groups: [{ id: 'g', displayName: 'sinch:p3:ADMIN', externalId: null }] }), { ...base, deactivateAction: action })
    expect(kinds(d)).toEqual({ p1: kind, p2: kind, p3: kind })
  })

  it('a deleted user holds nothing, whatever DEACTIVATE_ACTION says', () => {
    const d = desiredAccess(subject({ deleted: true }), { ...base, deactivateAction: 'suspend' })
    expect(kinds(d)).toEqual({ p1: 'none', p2: 'none', p3: 'none' })
    expect(d.projects.get('p1')).toMatchObject({ rule: 'user deleted' })
  })

  it('an active user without a usable email gets nothing', () => {
    const d = desiredAccess(subject({ userName: 'jdoe', emails: [] }), base)
    expect(d.email).toBeNull()
    expect(kinds(d)).toEqual({ p1: 'none', p2: 'none', p3: 'none' })
  })
})

describe('parseMapping', () => {
  it('accepts YAML and the bare map form', () => {
    const m = parseMapping('Admins:\n  - project: p1\n    role: ADMIN\n', 'yaml', ['p1'])
    expect(m.get('admins')).toEqual([{ project: 'p1', role: 'ADMIN' }])
  })
  it('names the key of every problem', () => {
    try {
      parseMapping(JSON.stringify({ groups: { Ops: [{ project: 'p9', role: 'ADMIN' }, { project: 'p1', role: 'BOSS' }] } }), 'json', ['p1'])
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(MappingFileError)
      const problems = (err as MappingFileError).problems.join('\n')
      expect(problems).toContain('groups.Ops.1.role')
    }
    try {
      parseMapping(JSON.stringify({ groups: { Ops: [{ project: 'p9', role: 'ADMIN' }] } }), 'json', ['p1'])
      expect.unreachable()
    } catch (err) {
      expect((err as MappingFileError).problems[0]).toMatch(/^groups\.Ops\.0\.project: "p9" is not a managed project/)
    }
  })
  it('rejects invalid syntax and unknown fields, naming the key', () => {
    expect(() => parseMapping('{', 'json', ['p1'])).toThrow(/not valid JSON/)
    expect(() => parseMapping('groups:\n  A: [ {project: p1\n', 'yaml', ['p1'])).toThrow(/not valid YAML/)
    const problems = (text: string, format: 'json' | 'yaml'): string[] => {
      try {
        parseMapping(text, format, ['p1'])
      } catch (err) {
        expect(err).toBeInstanceOf(MappingFileError)
        return (err as MappingFileError).problems
      }
      throw new Error('accepted')
    }
    expect(problems(JSON.stringify({ groups: { A: [{ project: 'p1', role: 'ADMIN', extra: 1 }] } }), 'json')[0]).toMatch(/^groups\.A\.0: .*extra/)
    expect(problems('groups:\n  Platform Admins:\n    - project: p1\n      role: GOD\n', 'yaml')[0]).toMatch(/^groups\.Platform Admins\.0\.role: /)
    expect(problems('groups:\n  Ops:\n    project: p1\n', 'yaml')[0]).toMatch(/^groups\.Ops: /)
  })
})

describe('loadMappingFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mapping-'))
  it('reads JSON by its extension and YAML otherwise (.yaml, .yml, anything else)', () => {
    writeFileSync(join(dir, 'm.json'), JSON.stringify({ Admins: [{ project: 'p1', role: 'ADMIN' }] }))
    writeFileSync(join(dir, 'm.yml'), 'Admins:\n  - { project: p1, role: admin }\n')
    expect(loadMappingFile(join(dir, 'm.json'), ['p1']).get('admins')).toEqual([{ project: 'p1', role: 'ADMIN' }])
    expect(loadMappingFile(join(dir, 'm.yml'), ['p1']).get('admins')).toEqual([{ project: 'p1', role: 'ADMIN' }])
  })
  it('an unreadable file is one clear problem naming the path', () => {
    expect(() => loadMappingFile(join(dir, 'missing.yaml'), ['p1'])).toThrow(/cannot read .*missing\.yaml: ENOENT/)
  })
})
