import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cycles, importGraph, moduleOf } from '../support/import-graph.js'

const graph = importGraph(resolve(import.meta.dirname, '../../src'))
/** Module-level edges "from -> to", with the files that make each. */
const edges = (): Map<string, string[]> => {
  const out = new Map<string, string[]>()
  for (const [file, targets] of graph) {
    for (const t of targets) {
      const edge = `${moduleOf(file)} -> ${moduleOf(t)}`
      if (moduleOf(file) !== moduleOf(t)) out.set(edge, [...(out.get(edge) ?? []), `${file} -> ${t}`])
    }
  }
  return out
}
const importers = (target: string): string[] => [...edges()].filter(([e]) => e.endsWith(` -> ${target}`)).flatMap(([, files]) => files)

// The layout of /work/shared/DESIGN.md: data flows http → scim → directory → provisioning → sinch / store.
describe('import graph of src/', () => {
  it('has no cycles, type-only imports included', () => {
    expect(cycles(graph)).toEqual([])
  })

  it('nothing imports http/ but app.ts and main.ts', () => {
    expect(importers('http/').filter((e) => !e.startsWith('app.ts') && !e.startsWith('main.ts'))).toEqual([])
  })

  it('http/ reaches provisioning only through directory/', () => {
    expect([...edges().keys()].filter((e) => e === 'http/ -> provisioning/' || e === 'app.ts -> provisioning/')).toEqual([])
  })

  it('directory/ looks only to its right: store/ and domain/ (provisioning through the port it declares)', () => {
    expect([...edges().keys()].filter((e) => e.startsWith('directory/ ->') && e !== 'directory/ -> store/' && e !== 'directory/ -> domain/')).toEqual([])
  })

  it('domain/ (the records every layer shares) depends on no layer', () => {
    expect([...edges().keys()].filter((e) => e.startsWith('domain/ ->') && e !== 'domain/ -> config/')).toEqual([])
  })

  it('store/ and observability/ import nothing of the layers above them', () => {
    const above = ['http/', 'scim/', 'directory/', 'provisioning/', 'reconciler/', 'cli/', 'main.ts', 'app.ts']
    expect([...edges().keys()].filter((e) => (e.startsWith('store/ ->') || e.startsWith('observability/ ->')) && above.some((a) => e.endsWith(`-> ${a}`)))).toEqual([])
  })
  it('nothing below the CLI imports cli/ (the reconciler\'s progress is an injected option)', () => {
    expect(importers('cli/')).toEqual([])
  })
})
