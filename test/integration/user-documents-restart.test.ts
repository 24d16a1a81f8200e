import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { eventually, startTestBridge, type TestBridge } from '../support/bridge.js'

/** bridge_user_documents_total{outcome} of one bridge (its /metrics is open without METRICS_TOKEN). */
async function documents (t: TestBridge): Promise<Record<string, number>> {
  const text = await (await fetch(`${t.url}/metrics`)).text()
  return Object.fromEntries([...text.matchAll(/^bridge_user_documents_total\{outcome="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]))
}
/** A user as read, its links made relative: each bridge listens on a port of its own. */
const relative = (t: TestBridge, body: unknown): string => JSON.stringify(body).replaceAll(t.url, '')

describe('kept user documents across a restart (SQLite)', () => {
  it('a bridge restarted with the same code and rules serves the documents kept before; one with other rules renders them again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-restart-'))
    const env = { DATABASE_URL: `sqlite:${join(dir, 'bridge.db')}`, DATA_DIR: dir }
    // No background work: nothing but these requests touches the user between the reads.
    const first = await startTestBridge({ env, background: false })
    let id = ''
    let kept = ''
    try {
      const created = await first.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'restart@example.com', active: true })
      expect(created.status).toBe(201)
      id = created.body.id as string
      await eventually(async () => {
        const read = await first.scim('GET', `/Users/${id}`)
        kept = relative(first, read.body)
        await new Promise((resolve) => setTimeout(resolve, 80))
        return ((await documents(first)).served ?? 0) > 0
      }, 10_000)
    } finally {
      await first.close()
    }

    const same = await startTestBridge({ env, background: false })
    try {
      const read = await same.scim('GET', `/Users/${id}`)
      expect(read.status).toBe(200)
      expect(relative(same, read.body)).toBe(kept)
      expect(await documents(same)).toMatchObject({ served: 1, rendered: 0 })
    } finally {
      await same.close()
    }

    const other = await startTestBridge({ env: { ...env, SINCH_DEFAULT_ROLE: 'ADMIN' }, background: false })
    try {
      const read = await other.scim('GET', `/Users/${id}`)
      expect(read.status).toBe(200)
      expect(await documents(other)).toMatchObject({ served: 0, rendered: 1 })
    } finally {
      await other.close()
    }
  })
})
