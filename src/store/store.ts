import type { DirectoryStore } from './directory-store.js'
import type { ProvisioningStore, SubjectReader } from './types.js'

/** Both halves of the store on one engine, as createStore hands them out. */
export type Store = DirectoryStore & SubjectReader & ProvisioningStore & {
  kind: 'sqlite' | 'postgres'
  ping (): Promise<void>
  /**
   * Set when the store cannot recover without a restart (SQLite: the disk refused a sync). Liveness
   * fails on it, so an orchestrator restarts the process instead of leaving it refusing every write.
   */
  fatal? (): string | null
  close (): Promise<void>
}
