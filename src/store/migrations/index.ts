import type { Migration } from './types.js'
import { m001Directory } from './001-directory.js'
import { m002Provisioning } from './002-provisioning.js'
import { m003QueueOwners } from './003-queue-owners.js'

/** Every migration in order. Append only: a shipped migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [m001Directory, m002Provisioning, m003QueueOwners]

export type { Migration }
