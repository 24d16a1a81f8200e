import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { pino, type Logger } from 'pino'
import type { SinchError } from '../../../src/sinch/index.js'

export interface Seen { method: string, path: string, headers: IncomingMessage['headers'], body: string }
export type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>

/**
 * A real HTTP server on port 0 whose every answer the test writes by hand: the awkward shapes
 * the simulator has no knob for, over a real socket (no mocks of undici).
 */
export async function tinyServer (handler: Handler): Promise<{ url: string, seen: Seen[], close: () => Promise<void> }> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      seen.push(s)
      Promise.resolve(handler(s, res)).catch((err: unknown) => {
        res.statusCode = 500
        res.end(String(err))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

export function send (res: ServerResponse, status: number, body: unknown = '', headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { ...(typeof body === 'string' ? {} : { 'content-type': 'application/json' }), ...headers })
  res.end(text)
}

/** A trace-level pino logger whose lines land in `lines`. */
export function captureLogger (): { logger: Logger, lines: string[] } {
  const lines: string[] = []
  const sink = new Writable({ write (c, _e, cb) { lines.push(String(c)); cb() } })
  return { logger: pino({ level: 'trace' }, sink), lines }
}

export const member = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  user_id: 'u-1', email: 'ada@example.com', display_name: 'Ada', role: 'MEMBER', status: 'PENDING', project_id: 'p1', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...over
})

export const FAST = { baseMs: 1, capMs: 5, maxAttempts: 4, deadlineMs: 5_000 }

/** The error a promise rejects with (failing the test if it resolves instead). */
export async function failure (p: Promise<unknown>): Promise<SinchError> {
  const outcome = await p.then((value) => ({ ok: true as const, value }), (err: unknown) => ({ ok: false as const, err }))
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`)
  return outcome.err as SinchError
}
