// Shared helpers for the benchmarks: they run against the built code (dist/) and print figures.
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '..')
export const CLI = resolve(ROOT, 'dist/cli/index.js')
/**
 * The V8 flags the bridge runs with (`npm start`, the Dockerfile's ENTRYPOINT and the systemd
 * unit: a test holds them together), so a bench measures the process as it is deployed:
 * - a young generation of 2 × 8 MiB, not 2 × 16: bench/scim's peak RSS under a POST load about
 *   15–20 MiB lower at the same req/s within noise;
 * - the old generation may grow to 1.2 × what the last full GC kept, where V8 would otherwise let
 *   it reach up to several times that before collecting: the garbage a write load leaves, not
 *   live data, set the peak (bench/scim at 100,000 users, POST: 168 -> 122 MiB; the same req/s
 *   within noise in interleaved runs).
 * BENCH_NODE_FLAGS= runs the benches without them.
 */
export const NODE_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=20']

/** The node flags a bench starts the bridge with: NODE_FLAGS, or BENCH_NODE_FLAGS (space-separated) to compare others. */
export const BENCH_NODE_FLAGS = process.env.BENCH_NODE_FLAGS === undefined ? NODE_FLAGS : process.env.BENCH_NODE_FLAGS.split(' ').filter((f) => f !== '')

export function arg (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}

/** Starts the bundled simulator as its own process (its own core), returns its URL and a stop(). */
export async function startSimulatorProcess (projects, extraArgs = []) {
  const child = spawn(process.execPath, [CLI, 'simulate', '--port', '0', '--host', '127.0.0.1', '--projects', projects.join(','), ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { out += d })
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start:\n${out}`)), 15_000)
    child.stdout.on('data', () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) { clearTimeout(timer); resolveUrl(m[1]) }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`simulator exited ${code}:\n${out}`)) })
  })
  return {
    url,
    async control (method, path, body) {
      const res = await fetch(`${url}/__sim/${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
      const text = await res.text()
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
      return text === '' ? null : JSON.parse(text)
    },
    async stop () {
      if (child.exitCode !== null) return
      await new Promise((r) => { child.once('exit', r); child.kill('SIGTERM') })
    }
  }
}

export function rssMiB () {
  return Math.round(process.memoryUsage().rss / 1024 / 1024)
}

/** Successful invite POSTs per (project, email) in the simulator's request log. */
export async function inviteCounts (sim) {
  const counts = new Map()
  const { requests } = await sim.control('GET', 'requests')
  for (const r of requests) {
    if (r.route !== 'invite' || r.status >= 300) continue
    const key = `${r.projectId}|${String(r.body?.email ?? '').toLowerCase()}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}
