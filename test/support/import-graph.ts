import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/** Relative imports of every .ts file under `root` (type-only and dynamic ones included), as root-relative paths. */
export function importGraph (root: string): Map<string, string[]> {
  const files: string[] = []
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f)
      if (statSync(p).isDirectory()) walk(p)
      else if (p.endsWith('.ts')) files.push(p)
    }
  }
  walk(root)
  const graph = new Map<string, string[]>()
  for (const f of files) {
    const text = readFileSync(f, 'utf8')
    const targets = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)]
      .map((m) => relative(root, resolve(dirname(f), (m[1] ?? m[2]) as string)).replace(/\.js$/, '.ts'))
    graph.set(relative(root, f), targets)
  }
  return graph
}

/** Every cycle found by a depth-first walk, each as the path that closes it. */
export function cycles (graph: Map<string, string[]>): string[][] {
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (n: string): void => {
    state.set(n, 'open')
    stack.push(n)
    for (const t of graph.get(n) ?? []) {
      if (state.get(t) === 'open') found.push([...stack.slice(stack.indexOf(t)), t])
      else if (state.get(t) === undefined && graph.has(t)) visit(t)
    }
    stack.pop()
    state.set(n, 'done')
  }
  for (const n of graph.keys()) if (state.get(n) === undefined) visit(n)
  return found
}

/** The top folder of a file (`http/`), or the file itself at the root (`main.ts`). */
export const moduleOf = (file: string): string => file.includes('/') ? `${file.split('/')[0] ?? ''}/` : file
