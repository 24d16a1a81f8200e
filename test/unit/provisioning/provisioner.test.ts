import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../../../src/observability/logger.js'
import type { Executor, RunOptions, UserOutcome } from '../../../src/provisioning/executor.js'
import { createProvisioner, type Provisioner } from '../../../src/provisioning/provisioner.js'
import { createStore, type Store } from '../../../src/store/index.js'

const done: UserOutcome = { status: 'done', rejections: [], notes: [], error: null }
const delay = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** An executor that records each run and answers what `answer` says for it. */
function fakeExecutor (answer: (userId: string, run: number, options: RunOptions) => Promise<UserOutcome> = async () => done) {
  const runs: Array<{ userId: string, stopOnRejection: boolean }> = []
  let inFlight = 0
  let maxInFlight = 0
  const executor: Executor = {
    async runUser (userId, options = {}) {
      runs.push({ userId, stopOnRejection: options.stopOnRejection === true })
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      try {
        return await answer(userId, runs.filter((r) => r.userId === userId).length, options)
      } finally {
        inFlight--
      }
    }
  }
  return { executor, runs, maxInFlight: () => maxInFlight }
}

describe('provisioner: the request path and the queue', () => {
  let store: Store
  let provisioner: Provisioner | null = null
  const make = (executor: Executor, requestBudgetMs = 2_000): Provisioner => {
    provisioner = createProvisioner({ executor, store, logger: createLogger('silent'), owner: 'test-owner', requestBudgetMs, backoff: { baseMs: 60_000, capMs: 60_000 } })
    return provisioner
  }
  const newUser = async (name: string): Promise<string> => (await store.createUser({ userName: name, externalId: null, displayName: null, active: true, emails: [], resource: {} })).id
  beforeEach(async () => { store = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'prov-')), 'b.db')}`) })
  afterEach(async () => {
    await provisioner?.stop()
    provisioner = null
    await store.close()
  })

  it('the background loop leaves a just-queued change to the request that queued it (requestFirstMs), then takes it', async () => {
    const fake = fakeExecutor()
    provisioner = createProvisioner({ executor: fake.executor, store, logger: createLogger('silent'), owner: 'test-owner', pollMs: 20, requestFirstMs: 400, backoff: { baseMs: 60_000, capMs: 60_000 } })
    const id = await newUser('first@x.io')
    provisioner.start()
    await delay(150)
    // Several polls have run: none claimed it, so the request path's claim would have won.
    expect(fake.runs).toEqual([])
    expect(await store.claimUser(id, new Date().toISOString(), 'request-path', 30_000)).not.toBe('claimed')
    const other = await newUser('second@x.io')
    await delay(700)
    // Left unclaimed by a request (the request died, or applies at most 50 users), it is run all the same.
    expect(fake.runs.map((r) => r.userId)).toEqual([other])
  })

  it('applyNow runs the queued users and takes them off the queue; a user with nothing queued is not run', async () => {
    const id = await newUser('a@x.io')
    const fake = fakeExecutor()
    const p = make(fake.executor)
    expect(await p.applyNow([id])).toEqual([])
    expect(fake.runs).toEqual([{ userId: id, stopOnRejection: false }])
    expect((await store.queueDepth()).depth).toBe(0)
    expect(await p.applyNow([id])).toEqual([])
    expect(fake.runs.length).toBe(1)
  })

  it('a permanent rejection with an undo: the run stops, the write is undone, and a second run takes back what Sinch had accepted', async () => {
    const id = await newUser('b@x.io')
    const rejection = { userId: id, projectId: 'p1', detail: 'invalid email' }
    const fake = fakeExecutor(async (_u, run) => run === 1 ? { status: 'rejected', rejections: [rejection], notes: [], error: null } : done)
    const p = make(fake.executor)
    let undone = 0
    expect(await p.applyNow([id], { undo: async () => { undone++ } })).toEqual([rejection])
    expect(undone).toBe(1)
    expect(fake.runs).toEqual([{ userId: id, stopOnRejection: true }, { userId: id, stopOnRejection: false }])
  })

  it('past the request budget the answer goes without Sinch, and no undo follows it', async () => {
    const id = await newUser('c@x.io')
    const fake = fakeExecutor(async (userId) => {
      await delay(1_000)
      return { status: 'rejected', rejections: [{ userId, projectId: 'p1', detail: 'too late' }], notes: [], error: null }
    })
    const p = make(fake.executor, 50)
    let undone = 0
    const t0 = Date.now()
    expect(await p.applyNow([id], { undo: async () => { undone++ } })).toEqual([])
    expect(Date.now() - t0).toBeLessThan(700)
    await delay(1_100)
    expect(undone).toBe(0)
  })

  it('a transient failure stays queued for a later try', async () => {
    const id = await newUser('d@x.io')
    const p = make(fakeExecutor(async () => ({ status: 'retry', rejections: [], notes: [], error: 'Sinch 503' })).executor)
    expect(await p.applyNow([id])).toEqual([])
    const q = await store.queueDepth()
    expect(q.depth).toBe(1)
  })

  it('the queue keeps its workers busy: a slow user holds one worker, not the batch, and never more than `concurrency` run at once', async () => {
    const ids: string[] = []
    for (let i = 0; i < 13; i++) ids.push(await newUser(`w${i}@x.io`))
    let release: () => void = () => {}
    const slowDone = new Promise<void>((resolve) => { release = resolve })
    const slow = ids[0]
    const fake = fakeExecutor(async (userId) => { await (userId === slow ? slowDone : delay(5)); return done })
    provisioner = createProvisioner({ executor: fake.executor, store, logger: createLogger('silent'), owner: 'test-owner', concurrency: 4, batch: 4, backoff: { baseMs: 60_000, capMs: 60_000 } })
    const drained = provisioner.drain()
    // With a batch that waits for its slowest run, only the first four would have run by now.
    await vi.waitFor(() => { expect(fake.runs.length).toBe(13) }, { timeout: 5_000 })
    expect(fake.maxInFlight()).toBeLessThanOrEqual(4)
    expect((await store.queueDepth()).depth).toBe(1)
    release()
    await drained
    expect((await store.queueDepth()).depth).toBe(0)
    expect(new Set(fake.runs.map((r) => r.userId)).size).toBe(13)
  })

  it('work queued while a straggler runs is taken without waiting for it, and stop() waits for both to settle', async () => {
    let release: () => void = () => {}
    const slowDone = new Promise<void>((resolve) => { release = resolve })
    const slow = await newUser('straggler@x.io')
    const fake = fakeExecutor(async (userId) => { if (userId === slow) await slowDone; return done })
    provisioner = createProvisioner({ executor: fake.executor, store, logger: createLogger('silent'), owner: 'test-owner', pollMs: 20, requestFirstMs: 0, backoff: { baseMs: 60_000, capMs: 60_000 } })
    provisioner.start()
    await vi.waitFor(() => { expect(fake.runs.map((r) => r.userId)).toEqual([slow]) })
    const later = await newUser('later@x.io')
    await vi.waitFor(() => { expect(fake.runs.map((r) => r.userId)).toEqual([slow, later]) }, { timeout: 2_000 })
    const stopped = provisioner.stop()
    release()
    await stopped
    provisioner = null
    expect((await store.queueDepth()).depth).toBe(0)
  })

  it('never runs one user twice at once, even when the request path and the queue worker both want it', async () => {
    const id = await newUser('e@x.io')
    const fake = fakeExecutor(async () => { await delay(30); return done })
    const p = make(fake.executor)
    await Promise.all([p.applyNow([id]), p.drain(), p.applyNow([id])])
    expect(fake.maxInFlight()).toBe(1)
    expect((await store.queueDepth()).depth).toBe(0)
  })
})
