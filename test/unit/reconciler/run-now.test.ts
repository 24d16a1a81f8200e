import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { createReconciler, type ReconcileReport } from '../../../src/reconciler/reconciler.js'
import type { SinchMemberView, SinchPort } from '../../../src/provisioning/ports.js'
import { createStore, type Store } from '../../../src/store/index.js'

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** A Sinch whose listing of one project takes a while, counting how often it is listed. */
function countingSinch (ms: number): SinchPort & { listings: number } {
  const s = {
    listings: 0,
    async * listMembers (projectId: string): AsyncIterable<SinchMemberView> {
      s.listings++
      await sleep(ms)
      yield { userId: 's1', email: 'a@x.io', role: 'MEMBER', status: 'ACTIVE', projectId }
    },
    findMemberByEmail: async () => null,
    invite: async () => { throw new Error('not used') },
    updateMember: async () => { throw new Error('not used') },
    removeMember: async () => ({ alreadyGone: true })
  }
  return s
}

let store: Store | null = null
afterEach(async () => { await store?.close(); store = null })

describe('reconciler runNow (the console\'s "reconcile now")', () => {
  it('starts one run, joins it when asked again meanwhile, and refuses while another replica holds the lease', async () => {
    store = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'runnow-')), 'r.db')}`)
    const sinch = countingSinch(200)
    const reports: ReconcileReport[] = []
    const r = createReconciler({ store, sinch, managedProjects: ['p1'], logger: pino({ level: 'silent' }), owner: 'replica-a', intervalMs: 60_000, onReport: (x) => reports.push(x) })
    expect(await r.runNow()).toBe('started')
    expect(await r.runNow()).toBe('running')
    for (let i = 0; i < 50 && reports.length === 0; i++) await sleep(20)
    expect(reports).toHaveLength(1)
    expect(sinch.listings).toBe(1)
    expect(r.isLeader()).toBe(true)
    expect(await r.runNow()).toBe('started')
    await r.stop()
    // stop() waited for the run in flight and released the lease.
    expect(reports).toHaveLength(2)
    const other = createReconciler({ store, sinch, managedProjects: ['p1'], logger: pino({ level: 'silent' }), owner: 'replica-b', intervalMs: 60_000 })
    expect(await store.tryLease('reconciler', 'replica-c', 60_000, new Date().toISOString())).toBe(true)
    expect(await other.runNow()).toBe('not-leader')
    expect(sinch.listings).toBe(2)
    await other.stop()
  })
})
