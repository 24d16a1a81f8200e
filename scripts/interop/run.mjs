#!/usr/bin/env node
// npm run interop — runs the public SCIM 2.0 suites found in $SCIM_SUITES_DIR against this
// repository's built bridge (dist/), one fresh bridge per suite: sandbox mode (the bundled Sinch
// simulator), a temporary data folder, port 0 on loopback. Prints `<suite>: N passed, M failed`
// per suite. The suites are third-party and never committed; fetch them as scripts/interop/README.md
// says. Without $SCIM_SUITES_DIR (or when it does not exist) it says so and exits 0: a tool, not a
// CI gate. Exit 1 when a suite could not run or a check failed.
//
//   SCIM_SUITES_DIR=/tmp/suites npm run interop [-- --only okta,scim2-tester] [-- --keep]
//
// Extra arguments after `--` other than --keep go to run-external-suites.sh for every suite.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'

const HERE = import.meta.dirname
const CLI = resolve(HERE, '../../dist/cli/index.js')
const RUNNER = join(HERE, 'run-external-suites.sh')

/** Suite folder in SCIM_SUITES_DIR → the runner's --only name and the name of its closing line. */
const SUITES = [
  // First on a fresh bridge anyway: Microsoft's collection counts users from an empty store.
  { dir: 'azuread', only: 'azuread' },
  { dir: 'okta', only: 'okta' },
  // The bridge's own discovery documents, no standard models to fall back on.
  { dir: 'scim2-tester', only: 'scim2-tester', args: ['--no-fallback-models'] }
]

const args = process.argv.slice(2)
const keep = args.includes('--keep')
const onlyAt = args.indexOf('--only')
const only = onlyAt === -1 ? null : new Set(String(args[onlyAt + 1] ?? '').split(','))
const passThrough = args.filter((a, i) => a !== '--keep' && i !== onlyAt && i !== onlyAt + 1)

const suitesDir = process.env.SCIM_SUITES_DIR
if (suitesDir === undefined || suitesDir === '' || !existsSync(suitesDir)) {
  console.log(`interop: no suites (set SCIM_SUITES_DIR to a folder holding ${SUITES.map((s) => s.dir).join(', ')}; see scripts/interop/README.md)`)
  process.exit(0)
}
if (!existsSync(CLI)) {
  console.error('interop: dist/ is missing; run `npm run build` first')
  process.exit(1)
}

/** A bridge on port 0 in sandbox mode with its own data folder; resolves once it prints its URL. */
async function startBridge () {
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-interop-'))
  const token = randomBytes(24).toString('hex')
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:${join(dataDir, 'bridge.db')}`,
    SCIM_BEARER_TOKEN: token,
    LOG_LEVEL: 'warn'
  }
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { out += d })
  const base = await new Promise((resolveBase, reject) => {
    const timer = setTimeout(() => reject(new Error(`bridge did not start:\n${out}`)), 20_000)
    const look = () => {
      const m = /SCIM base URL\s+(http:\/\/\S+)/.exec(out)
      if (m !== null) { clearTimeout(timer); resolveBase(m[1]) }
    }
    child.stdout.on('data', look)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`bridge exited ${code}:\n${out}`)) })
  })
  return {
    base,
    auth: `Bearer ${token}`,
    log: () => out,
    async stop () {
      if (child.exitCode === null) await new Promise((r) => { child.once('exit', r); child.kill('SIGTERM') })
      if (!keep) rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

function runSuite (bridge, suite, work) {
  return new Promise((resolveRun) => {
    const child = spawn('bash', [RUNNER, bridge.base, bridge.auth, suitesDir, '--only', suite.only, '--work', work, ...(suite.args ?? []), ...passThrough], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d) })
    child.once('exit', (code) => resolveRun({ code, out }))
  })
}

const closing = []
let failed = false
for (const suite of SUITES) {
  if (only !== null && !only.has(suite.dir)) continue
  if (!existsSync(join(suitesDir, suite.dir))) continue
  const work = mkdtempSync(join(tmpdir(), `scim-interop-${suite.dir}-`))
  const bridge = await startBridge()
  console.log(`# ${suite.dir}: bridge at ${bridge.base}, reports in ${work}`)
  try {
    const { code, out } = await runSuite(bridge, suite, work)
    const lines = out.split('\n').filter((l) => /^[\w-]+: \d+ passed, \d+ failed$/.test(l))
    const notRun = out.split('\n').filter((l) => /^[\w-]+: not run/.test(l))
    closing.push(...new Set([...lines, ...notRun]))
    if (code !== 0 || notRun.length > 0) failed = true
  } finally {
    await bridge.stop()
  }
}

console.log('\n# interop summary')
for (const line of closing) console.log(line)
if (closing.length === 0) console.log(`interop: no suite folder found in ${suitesDir}`)
process.exit(failed ? 1 : 0)
