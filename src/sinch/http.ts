import { Pool, type Dispatcher } from 'undici'

export interface Timeouts { connectMs?: number, headersMs?: number, bodyMs?: number }

export interface Pools {
  /** Keep-alive pool to the API origin. */
  api: Dispatcher
  /** Pool to the token origin: the API pool itself when both live on one origin. */
  auth: Dispatcher
  close (): Promise<void>
}

/**
 * One undici Pool per origin, with keep-alive and connect/headers/body timeouts (a stalled Sinch
 * must turn into a retryable failure, never a hung provisioning run). The token endpoint usually
 * sits on another origin (auth.sinch.com) and needs only a couple of connections.
 */
export function createPools (apiUrl: string, authUrl: string, t: Timeouts = {}, apiConnections = 64): Pools {
  const options = {
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connectTimeout: t.connectMs ?? 10_000,
    headersTimeout: t.headersMs ?? 30_000,
    bodyTimeout: t.bodyMs ?? 30_000
  }
  const apiOrigin = new URL(apiUrl).origin
  const authOrigin = new URL(authUrl).origin
  const api = new Pool(apiOrigin, { ...options, connections: apiConnections })
  const auth = authOrigin === apiOrigin ? api : new Pool(authOrigin, { ...options, connections: 2 })
  return {
    api,
    auth,
    async close () {
      // Graceful: the client aborts its own calls first, so nothing is left to wait for.
      await Promise.all([...new Set([api, auth])].map(async (p) => { await p.close() }))
    }
  }
}
