import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { TEST_TOKEN } from './bridge.js'

export const CLI = resolve(import.meta.dirname, '../../dist/cli/index.js')

export interface ChildBridge {
  child: ChildProcess
  url: string
  output: () => string
  kill: (signal: NodeJS.Signals) => Promise<number | null>
}

/** Runs the built CLI (`serve`) as a separate process, as production does, and waits for its banner. */
export async function spawnBridge (env: Record<string, string>, args: string[] = []): Promise<ChildBridge> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`)
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`bridge did not start:\n${out}`)), 20_000)
    const check = (): void => {
      const m = /SCIM base URL\s+(\S+)/.exec(out)
      if (m?.[1] !== undefined) {
        clearTimeout(timer)
        resolveUrl(m[1])
      }
    }
    child.stdout?.on('data', check)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`bridge exited with ${code}:\n${out}`)) })
  })
  return {
    child,
    url,
    output: () => out,
    kill: async (signal) => await new Promise((resolveExit) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolveExit(child.exitCode); return }
      child.once('exit', (code) => resolveExit(code))
      child.kill(signal)
    })
  }
}

/** The environment of a bridge process against a simulator at `simUrl` (Sinch key, SCIM token, quiet logs) plus `extra`. */
export function replicaEnv (simUrl: string, key: { id: string, secret: string }, databaseUrl: string, extra: Record<string, string>): Record<string, string> {
  return {
    SINCH_KEY_ID: key.id, SINCH_KEY_SECRET: key.secret, SINCH_API_URL: simUrl, SINCH_AUTH_URL: `${simUrl}/oauth2/token`,
    SCIM_BEARER_TOKEN: TEST_TOKEN, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ...extra
  }
}
