import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp, type AppDeps } from '../../src/app.js'
import { createDirectory } from '../../src/directory/index.js'
import { createLogger } from '../../src/observability/logger.js'
import { createStore, type Store } from '../../src/store/index.js'
import { freshSchema, schemaUrl } from './pg.js'

export const APP_TOKEN = 'app-test-token-abcdefghijklmnop'

export interface TestApp {
  app: FastifyInstance
  store: Store
  url: string
  token: string
  request: (method: string, path: string, opts?: { body?: unknown, headers?: Record<string, string>, raw?: string }) => Promise<{ status: number, headers: Headers, text: string, body: any }>
  close: () => Promise<void>
}

export type Engine = 'sqlite' | 'postgres'

/**
 * The SCIM app alone (no Sinch) on a fresh SQLite file, or a fresh schema of the PostgreSQL test
 * database, listening on a real port.
 */
export async function buildTestApp (overrides: Partial<AppDeps> = {}, opts: { engine?: Engine } = {}): Promise<TestApp> {
  let dropSchema = async (): Promise<void> => {}
  let databaseUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'scim-')), 'bridge.db')}`
  if (opts.engine === 'postgres') {
    const s = await freshSchema()
    dropSchema = s.drop
    databaseUrl = schemaUrl(s.schema)
  }
  const store = await createStore(databaseUrl)
  const app = await buildApp({ logger: createLogger('silent'), scimBasePath: '/scim/v2', scimTokens: () => [APP_TOKEN], directory: createDirectory(store), ...overrides })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    app,
    store,
    url,
    token: APP_TOKEN,
    async request (method, path, opts = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${APP_TOKEN}`, ...opts.headers }
      let body: string | null = null
      if (opts.raw !== undefined) body = opts.raw
      else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body)
        headers['content-type'] ??= 'application/scim+json'
      }
      const res = await fetch(`${url}${path}`, { method, headers, body })
      const text = await res.text()
      let parsed: unknown = null
      try { parsed = text === '' ? null : JSON.parse(text) } catch { parsed = null }
      return { status: res.status, headers: res.headers, text, body: parsed }
    },
    async close () {
      await app.close()
      await store.close()
      await dropSchema()
    }
  }
}
