import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClaimKeeper } from '../../../src/provisioning/claim-keeper.js'
import { createStore, type Store } from '../../../src/store/index.js'

const LEASE_MS = 300
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
const iso = (offsetMs = 0): string => new Date(Date.now() + offsetMs).toISOString()

let store: Store | null = null
afterEach(async () => { vi.useRealTimers(); await store?.close(); store = null })

async function queuedUser (): Promise<{ store: Store, userId: string }> {
  store = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'keeper-')), 'bridge.db')}`)
  const u = await store.createUser({ userName: 'held@x.io', externalId: null, displayName: null, active: true, emails: [], resource: {} })
  return { store, userId: u.id }
}

describe('claim keeper (real SQLite store)', () => {
  // The clock and the beat timer are fake, so the lease runs out in the test's time only: a CPU
  // starved by other test files can delay a beat, never expire a claim the keeper would have renewed.
  it('renews a held claim past its lease while the work runs; once released, the claim runs out', async () => {
    const { store, userId } = await queuedUser()
    let beats = 0
    const counted = { ...store, heartbeat: async (...a: Parameters<Store['heartbeat']>) => { const r = await store.heartbeat(...a); beats++; return r } }
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    const keeper = createClaimKeeper({ store: counted, owner: 'me', leaseMs: LEASE_MS, logger: pino({ level: 'silent' }) })
    /** Moves the clock one beat (LEASE_MS / 3) on and waits until that beat has reached the store. */
    const nextBeat = async (): Promise<void> => {
      const before = beats
      vi.advanceTimersByTime(LEASE_MS / 3)
      // Real timeouts poll (vi.waitFor would move the fake clock on as it polls).
      while (beats === before) await sleep(5)
      expect(beats).toBe(before + 1)
    }
    await keeper.ready()
    expect(await store.claimUser(userId, iso(), 'me', LEASE_MS)).toMatchObject({ userId })
    keeper.hold(userId)
    for (let i = 0; i < 9; i++) await nextBeat()
    expect(await store.claimUser(userId, iso(), 'other', LEASE_MS)).toBe('claimed')
    expect(await keeper.stillHolds(userId)).toBe(true)
    keeper.release(userId)
    vi.advanceTimersByTime(LEASE_MS + 1)
    expect(beats).toBe(10)
    expect(await store.claimUser(userId, iso(), 'other', LEASE_MS)).toMatchObject({ userId })
    await keeper.stop()
  })

  it('a claim taken over while this process looked dead is reported lost, and its next beat does not take it back', async () => {
    const { store, userId } = await queuedUser()
    const keeper = createClaimKeeper({ store, owner: 'me', leaseMs: LEASE_MS, logger: pino({ level: 'silent' }) })
    await keeper.ready()
    expect(await store.claimUser(userId, iso(), 'me', LEASE_MS)).toMatchObject({ userId })
    keeper.hold(userId)
    // Seen from a clock past this owner's heartbeat (five beats of 100 ms), its claim is free.
    expect(await store.claimUser(userId, iso(10 * LEASE_MS), 'other', 60_000)).toMatchObject({ userId })
    expect(await keeper.stillHolds(userId)).toBe(false)
    await sleep(LEASE_MS)
    expect(await store.holdsClaim(userId, 'other', iso())).toBe(true)
    expect(await keeper.stillHolds(userId)).toBe(false)
    await keeper.stop()
    expect(await store.holdsClaim(userId, 'other', iso())).toBe(true)
  })

  it('stop frees every claim still held at once', async () => {
    const { store, userId } = await queuedUser()
    const keeper = createClaimKeeper({ store, owner: 'me', leaseMs: 60_000, logger: pino({ level: 'silent' }) })
    await keeper.ready()
    expect(await store.claimUser(userId, iso(), 'me', 60_000)).toMatchObject({ userId })
    keeper.hold(userId)
    expect(await store.claimUser(userId, iso(), 'other', 60_000)).toBe('claimed')
    await keeper.stop()
    expect(await store.claimUser(userId, iso(), 'other', 60_000)).toMatchObject({ userId })
  })
})
