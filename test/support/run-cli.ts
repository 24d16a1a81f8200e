import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { CLI } from './child-bridge.js'

export interface CliRun { code: number | null, stdout: string, stderr: string, out: string }

/** Runs the built CLI as an operator would, with only PATH and `env` in its environment. */
export async function runCli (args: string[], env: Record<string, string>, opts: { cwd?: string, timeoutMs?: number } = {}): Promise<CliRun> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: opts.cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    // A command that never exits is the failure under test for some cases: report it, don't hang.
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`"${args.join(' ')}" did not exit within ${opts.timeoutMs ?? 20_000} ms:\n${stdout}${stderr}`))
    }, opts.timeoutMs ?? 20_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, out: stdout + stderr })
    })
  })
}

/** A port that was free a moment ago (listen on 0, note it, close). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
