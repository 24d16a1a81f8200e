import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'

const ROOT = resolve(import.meta.dirname, '../..')
const read = (file: string): string => readFileSync(resolve(ROOT, file), 'utf8')

/** The arguments between `node` and the CLI's path: the flags the process starts with. */
function flagsOf (argv: string[]): string[] {
  const cli = argv.indexOf('dist/cli/index.js')
  expect(argv[0], argv.join(' ')).toBe('node')
  expect(cli, argv.join(' ')).toBeGreaterThan(0)
  return argv.slice(1, cli)
}

describe('the runtime flags the bridge is deployed with', () => {
  it('npm start, the image\'s ENTRYPOINT, the systemd unit and the benches run node with the same flags, and this node accepts them', async () => {
    const start = z.object({ scripts: z.object({ start: z.string() }) }).parse(JSON.parse(read('package.json'))).scripts.start
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(read('Dockerfile'))?.[1]
    expect(entrypoint).toBeDefined()
    const image = z.array(z.string()).parse(JSON.parse(entrypoint ?? '[]'))
    const { NODE_FLAGS: bench } = await import(resolve(ROOT, 'bench/lib.js')) as { NODE_FLAGS: string[] }
    expect(flagsOf(start.split(/\s+/))).toEqual(bench)
    expect(flagsOf(image)).toEqual(bench)
    const unit = /^ExecStart=(.*)$/m.exec(read('deploy/systemd/sinch-scim-bridge.service'))?.[1]
    expect(unit).toBeDefined()
    expect(flagsOf((unit ?? '').split(/\s+/).map((a, i) => (i === 0 ? a.replace(/^\/usr\/bin\//, '') : a)))).toEqual(bench)
    expect(bench).toEqual(expect.arrayContaining(['--max-semi-space-size=8', '--heap-growing-percent=20']))
    // A flag this node does not know makes it exit 9 ("bad option") before any code runs.
    const r = spawnSync(process.execPath, [...bench, '-e', 'process.exit(0)'], { encoding: 'utf8' })
    expect([r.status, r.stderr]).toEqual([0, ''])
  })
})
