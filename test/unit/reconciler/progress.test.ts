import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { createReconciler, type ReconcileProgress } from '../../../src/reconciler/reconciler.js'
import type { SinchMemberView, SinchPort } from '../../../src/provisioning/ports.js'
import { createStore, type Store } from '../../../src/store/index.js'
import { listingSinch } from '../../support/listing-sinch.js'

const sinch = (sizes: Record<string, number>): SinchPort => listingSinch(async function * (projectId: string): AsyncIterable<SinchMemberView> {
  for (let i = 0; i < (sizes[projectId] ?? 0); i++) yield { userId: `${projectId}-${i}`, email: `m${i}@x.io`, role: 'MEMBER', status: 'ACTIVE', projectId }
})

let store: Store | null = null
afterEach(async () => { await store?.close(); store = null })

describe('reconciler progress (an injected option of a run)', () => {
  it('tells each project boundary and every member listed, ending with all projects listed', async () => {
    store = await createStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'progress-')), 'r.db')}`)
    const r = createReconciler({ store, sinch: sinch({ p1: 3, p2: 2 }), managedProjects: ['p1', 'p2'], logger: pino({ level: 'silent' }), owner: 'a', intervalMs: 60_000 })
    const seen: ReconcileProgress[] = []
    const report = await r.runOnce(undefined, { onProgress: (p) => seen.push(p) })
    expect(report.ok).toBe(true)
    expect(seen[0]).toEqual({ projectsTotal: 2, projectsListed: 0, project: 'p1', membersListed: 0 })
    expect(seen.filter((p) => p.project === 'p2')[0]).toEqual({ projectsTotal: 2, projectsListed: 1, project: 'p2', membersListed: 3 })
    expect(seen.at(-1)).toEqual({ projectsTotal: 2, projectsListed: 2, project: null, membersListed: 5 })
    expect(seen.map((p) => p.membersListed)).toEqual([0, 1, 2, 3, 3, 4, 5, 5])
  })
})
