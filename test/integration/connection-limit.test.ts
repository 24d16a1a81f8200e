import { connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { eventually, startTestBridge } from '../support/bridge.js'

/** Opens a keep-alive connection and sends one request; resolves with what came back before the first answer ended or the socket closed. */
async function request (port: number): Promise<{ socket: Socket, answer: string }> {
  const socket = connect(port, '127.0.0.1')
  const answer = await new Promise<string>((resolve, reject) => {
    let got = ''
    socket.on('data', (d: Buffer) => {
      got += d.toString()
      if (/\r\n\r\n[\s\S]*\}$/.test(got)) resolve(got)
    })
    socket.on('close', () => resolve(got))
    socket.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'ECONNRESET') resolve(got); else reject(err) })
    socket.write('GET /healthz HTTP/1.1\r\nHost: bridge\r\nConnection: keep-alive\r\n\r\n')
  })
  return { socket, answer }
}

describe('MAX_CONNECTIONS', () => {
  it('connections beyond the cap are dropped at once; a freed slot takes a new one', async () => {
    const t = await startTestBridge({ env: { MAX_CONNECTIONS: '2' }, background: false })
    const open: Socket[] = []
    try {
      const port = Number(new URL(t.url).port)
      for (let i = 0; i < 2; i++) {
        const r = await request(port)
        expect(r.answer).toMatch(/^HTTP\/1\.1 200/)
        open.push(r.socket)
      }
      const third = await request(port)
      open.push(third.socket)
      expect(third.answer).toBe('')
      expect(third.socket.destroyed || third.socket.readyState !== 'open').toBe(true)
      // Closing one of the two lets the next connection in.
      open[0]?.destroy()
      await eventually(async () => {
        const r = await request(port)
        open.push(r.socket)
        return r.answer.startsWith('HTTP/1.1 200')
      }, 5_000, 100)
    } finally {
      for (const s of open) s.destroy()
      await t.close()
    }
  })
})
