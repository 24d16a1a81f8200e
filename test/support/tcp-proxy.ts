import { connect, createServer, type Socket } from 'node:net'

export interface TcpProxy {
  port: number
  /** Stops moving bytes both ways (and holds new connections): a database that does not answer. */
  freeze: () => void
  thaw: () => void
  close: () => Promise<void>
}

/**
 * A TCP relay to `target` on 127.0.0.1, port 0, that can be frozen: the peers stay connected, the
 * kernel buffers fill, nothing is answered. Only the connections made through it are affected,
 * so a test can freeze "its" PostgreSQL while others keep using the real one.
 */
export async function startTcpProxy (target: { host: string, port: number }): Promise<TcpProxy> {
  let frozen = false
  /** Bytes that arrived while frozen, in order, for the peer they were going to. */
  let held: Array<[Socket, Buffer]> = []
  const pairs = new Set<[Socket, Socket]>()
  const relay = (from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) => { if (frozen) held.push([to, chunk]); else to.write(chunk) })
  }
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host)
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    relay(client, upstream)
    relay(upstream, client)
    const end = (): void => { pairs.delete(pair); client.destroy(); upstream.destroy() }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no port')
  return {
    port: address.port,
    freeze: () => { frozen = true },
    thaw: () => {
      frozen = false
      const queued = held
      held = []
      for (const [to, chunk] of queued) if (!to.destroyed) to.write(chunk)
    },
    close: async () => {
      for (const [a, b] of pairs) { a.destroy(); b.destroy() }
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
