import type { DirectoryStore } from './directory-store.js'
import type { ProvisioningStore, SubjectReader } from './types.js'

/** Both halves of the store on one engine, as createStore hands them out. */
export type Store = DirectoryStore & SubjectReader & ProvisioningStore & {
  kind: 'sqlite' | 'postgres'
  ping (): Promise<void>
  close (): Promise<void>
}
