import type { Sampler } from '../../observability/sampler.js'
import type { CircuitSnapshot } from '../../sinch/circuit.js'
import type { DesiredAccess, GrantFrom } from '../../domain/grants.js'
import type { Reconciler } from '../../reconciler/reconciler.js'
import type { Store } from '../../store/index.js'
import type { ProvisioningSubject } from '../../domain/subjects.js'
import type { ConsoleTokens, Csrf, Viewer } from './security.js'

/** What the console reads and may do: narrow slices, so a test can hand in real parts or fakes. */
export interface ConsoleDeps {
  store: Pick<Store,
  'getUser' | 'queryUsers' | 'groupsOfUsers' | 'counts' | 'getSubject' |
  'listOpStates' | 'opStateCounts' | 'queueDepth' | 'listQueue' | 'listAudit' | 'managedMembers' | 'sinchViewOf' |
  'listKnownMembers' | 'getSetting' | 'enqueue' | 'appendAudit' | 'groupHeads'>
  managedProjects: string[]
  /** What the mapping rules grant a person, and each of their groups alone (provisioning/rules.ts; wired by main.ts). */
  access: {
    desired (subject: ProvisioningSubject): DesiredAccess
    groupGrants (subject: ProvisioningSubject): GrantFrom[]
    /** Why a group the rules read as a grant grants nothing; [] when it grants something or is no grant at all. */
    inertReasons (group: { displayName: string, externalId: string | null }): string[]
  }
  sandbox: boolean
  tokens: ConsoleTokens
  sampler: Sampler
  /** When Sinch last answered (a token or a call), epoch ms. */
  sinchLastOkAt: () => number | null
  /** The Sinch circuit: closed, degraded or open, from the bridge's recent calls. */
  sinchCircuit?: () => CircuitSnapshot
  reconciler: Pick<Reconciler, 'lastReport' | 'runNow'>
  /** Starts the queue worker at once after a retry was queued. */
  wake: () => void
  /** The Sinch API style in use, when the client knows it; else the stored setting is shown. */
  apiStyle?: () => string | null
}

/** Everything a page renders from besides its own data. */
export interface PageContext {
  viewer: Viewer
  sandbox: boolean
  /** A fresh CSRF token for the action forms; null for readers (they see no forms). */
  csrf: () => string | null
  notice: string | null
}

export type { Csrf }
