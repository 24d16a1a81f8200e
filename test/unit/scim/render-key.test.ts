import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { codeDigest, codeDigestProblem, digestOrRandom, digestTree, renderKey } from '../../../src/scim/render-key.js'

const rules = (mapping: Map<string, Array<{ project: string, role: string }>> | null) => ({ managedProjects: ['p1', 'p2'], defaultProjects: ['p1'], defaultRole: 'MEMBER', mapping })

describe('renderKey', () => {
  it('is the same for the same code and rules, and differs with any rule, a group mapping\'s contents included', () => {
    const digest = 'code-1'
    const sales = new Map([['sales', [{ project: 'p1', role: 'ADMIN' }]]])
    expect(renderKey({ rules: rules(sales) }, digest)).toBe(renderKey({ rules: rules(new Map([['sales', [{ project: 'p1', role: 'ADMIN' }]]])) }, digest))
    const keys = new Set([
      renderKey({ rules: rules(sales) }, digest),
      renderKey({ rules: rules(new Map([['sales', [{ project: 'p1', role: 'MEMBER' }]]])) }, digest),
      renderKey({ rules: rules(new Map()) }, digest),
      renderKey({ rules: rules(null) }, digest),
      renderKey({ rules: { ...rules(null), defaultRole: 'ADMIN' } }, digest),
      renderKey({ rules: rules(sales) }, 'code-2')
    ])
    expect(keys.size).toBe(6)
  })

  it('refuses what JSON would hash as something else', () => {
    expect(() => renderKey({ f: () => 1 }, 'c')).toThrow(/function/)
    class Rule { readonly on = true }
    expect(() => renderKey({ rule: new Rule() }, 'c')).toThrow(/Rule/)
    // A Date writes itself (toJSON) before the replacer sees it: as its own instant, so it may be part of the key.
    expect(renderKey({ at: new Date(0) }, 'c')).not.toBe(renderKey({ at: new Date(1) }, 'c'))
    expect(() => renderKey({ big: 1n }, 'c')).toThrow(/bigint/)
  })
})

describe('digestTree', () => {
  it('changes with any file of the tree, a file\'s path, the manifest and the lock', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'render-key-'))
    const root = join(pkg, 'dist')
    mkdirSync(join(root, 'scim'), { recursive: true })
    writeFileSync(join(root, 'scim', 'resources.js'), 'export const a = 1')
    writeFileSync(join(root, 'app.js'), 'export const b = 2')
    writeFileSync(join(pkg, 'package.json'), '{"version":"1.0.0"}')
    const seen = [digestTree(root, pkg)]
    expect(digestTree(root, pkg)).toBe(seen[0])
    const edits = [
      () => { writeFileSync(join(root, 'scim', 'resources.js'), 'export const a = 2') },
      () => { renameSync(join(root, 'app.js'), join(root, 'main.js')) },
      () => { writeFileSync(join(root, 'scim', 'new.js'), '') },
      () => { writeFileSync(join(pkg, 'package.json'), '{"version":"1.0.1"}') },
      () => { writeFileSync(join(pkg, 'package-lock.json'), '{}') }
    ]
    for (const edit of edits) {
      edit()
      const d = digestTree(root, pkg)
      expect(seen).not.toContain(d)
      seen.push(d)
    }
  })

  it('a tree that cannot be read gives a random digest, never a shared one, and no error', () => {
    const missing = join(tmpdir(), 'render-key-missing', String(Date.now()))
    expect(() => digestTree(missing, missing)).toThrow()
    const a = digestOrRandom(missing, missing)
    expect(a.problem).toMatch(/ENOENT/)
    expect(a.value).not.toBe(digestOrRandom(missing, missing).value)
    const pkg = mkdtempSync(join(tmpdir(), 'render-key-'))
    expect(digestOrRandom(pkg, pkg)).toEqual({ value: digestTree(pkg, pkg), problem: null })
  })

  it('codeDigest reads the running code once', () => {
    expect(codeDigest()).toMatch(/^[0-9a-f]{64}$/)
    expect(codeDigest()).toBe(codeDigest())
    expect(codeDigestProblem()).toBeNull()
  })
})
