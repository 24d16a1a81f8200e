import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { CLI } from '../support/child-bridge.js'

describe('simulate (built CLI) serves the Sinch API on its own', () => {
  it('--port 0 --projects a,b: a listable, an unknown project 403, SIGTERM exits 0', async () => {
    const child = spawn(process.execPath, [CLI, 'simulate', '--port', '0', '--projects', 'a,b', '--key-id', 'cli-key', '--key-secret', 'cli-secret-0123'], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { out += d.toString() })
    const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`simulator did not start:\n${out}`)), 10_000)
        child.stdout.on('data', () => {
          const m = /listening on (http:\/\/\S+)/.exec(out)
          if (m?.[1] !== undefined) { clearTimeout(timer); resolve(m[1]) }
        })
        void exited.then((e) => { clearTimeout(timer); reject(new Error(`simulator exited with ${String(e.code)}:\n${out}`)) })
      })
      expect(new URL(url).port).not.toBe('0')
      expect(out).toContain(`SINCH_AUTH_URL=${url}/oauth2/token`)
      const tokenRes = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=cli-key&client_secret=cli-secret-0123' })
      expect(tokenRes.status).toBe(200)
      const { access_token: token } = await tokenRes.json() as { access_token: string }
      const get = async (path: string, auth = `Bearer ${token}`): Promise<{ status: number, body: any }> => {
        const res = await fetch(`${url}${path}`, { headers: { authorization: auth } })
        return { status: res.status, body: await res.json() }
      }
      const a = await get('/projects/a/members')
      expect(a.status).toBe(200)
      expect(a.body.members).toEqual([])
      expect((await get('/projects/b/members')).status).toBe(200)
      expect((await get('/projects/zzz/members')).status).toBe(403)
      expect((await get('/projects/a/members', 'Bearer not-a-token')).status).toBe(401)
      // The default key is not configured when --key-id is given.
      const wrong = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=sandbox-key&client_secret=sandbox-secret' })
      expect(wrong.status).toBe(401)
      // The control plane seeds what the member API then lists.
      expect((await fetch(`${url}/__sim/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ members: [{ project_id: 'b', email: 'x@example.com', role: 'MEMBER' }] }) })).status).toBe(200)
      expect((await get('/projects/b/members')).body.members.map((m: { email: string }) => m.email)).toEqual(['x@example.com'])
      const started = Date.now()
      child.kill('SIGTERM')
      expect(await exited).toEqual({ code: 0, signal: null })
      expect(Date.now() - started).toBeLessThan(5_000)
      await expect(fetch(`${url}/projects/a/members`)).rejects.toThrow()
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  })
})
