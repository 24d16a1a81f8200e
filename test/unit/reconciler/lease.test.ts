import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { createReconciler, type ReconcileReport } from '../../../src/reconciler/reconciler.js'
import type { SinchMemberView, SinchPort } from '../../../src/provisioning/ports.js'
import { createStore, type Store } from '../../../src/store/index.js'
import { listingSinch } from '../../support/listing-sinch.js'

const INTERVAL = 1500
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** A Sinch whose listing takes `ms` per member, so one reconcile outlasts the lease. */
function slowSinch (members: number, ms: number): SinchPort {
  return listingSinch(async function * (projectId, opts): AsyncIterable<SinchMemberView> {
    for (let i = 0; i < members; i++) {
      await sleep(ms)
      if (opts?.signal?.aborted === true) throw new Error('aborted')
      yield { userId: `s${i}`, email: `m${i}@x.io`, role: 'MEMBER', status: 'ACTIVE', projectId }
    }
  })
}

let store: Store | null = null
afterEach(async () => { await store?.close(); store = null })

describe('reconciler leadership during a run longer than the lease', () => {
  it('renews the lease while it runs: no other replica can take it mid-run', async () => {
    store = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'lease-')), 'l.db')}`)
    const reports: ReconcileReport[] = []
    const r = createReconciler({ store, sinch: slowSinch(30, 100), managedProjects: ['p1'], logger: pino({ level: 'silent' }), owner: 'replica-a', intervalMs: INTERVAL, onReport: (x) => reports.push(x) })
    r.start()
    let stolen = 0
    const until = Date.now() + 3500 // the run takes ~3 s, twice the lease's length
    while (Date.now() < until && reports.length === 0) {
      await sleep(150)
      if (await store.tryLease('reconciler', 'replica-b', INTERVAL, new Date().toISOString())) stolen++
    }
    await r.stop()
    expect(reports[0]?.ok).toBe(true)
    expect(reports[0]?.durationMs).toBeGreaterThan(INTERVAL)
    expect(stolen).toBe(0)
  }, 15_000)

  it('stops its run when another replica holds the lease (taken after a pause, say), and says so', async () => {
    store = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'lease-')), 'l.db')}`)
    const reports: ReconcileReport[] = []
    const r = createReconciler({ store, sinch: slowSinch(60, 100), managedProjects: ['p1'], logger: pino({ level: 'silent' }), owner: 'replica-a', intervalMs: INTERVAL, onReport: (x) => reports.push(x) })
    r.start()
    await sleep(300)
    expect(r.isLeader()).toBe(true)
    await store.releaseLease('reconciler', 'replica-a')
    expect(await store.tryLease('reconciler', 'replica-b', 60_000, new Date().toISOString())).toBe(true)
    const started = Date.now()
    while (reports.length === 0 && Date.now() - started < 5000) await sleep(50)
    await r.stop()
    expect(reports[0]?.ok).toBe(false)
    expect(reports[0]?.durationMs).toBeLessThan(5000) // 60 members would take 6 s: the run stopped early
    expect(r.isLeader()).toBe(false)
  }, 15_000)

  it('releases the lease on stop, so another replica takes it at once', async () => {
    store = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'lease-')), 'l.db')}`)
    const r = createReconciler({ store, sinch: slowSinch(1, 1), managedProjects: ['p1'], logger: pino({ level: 'silent' }), owner: 'replica-a', intervalMs: 60_000 })
    r.start()
    await sleep(200)
    expect(await store.tryLease('reconciler', 'replica-b', 60_000, new Date().toISOString())).toBe(false)
    await r.stop()
    expect(await store.tryLease('reconciler', 'replica-b', 60_000, new Date().toISOString())).toBe(true)
  })
})
