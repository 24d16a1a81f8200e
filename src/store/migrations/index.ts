import type { Migration } from './types.js'
import { m001Directory } from './001-directory.js'
import { m002Provisioning } from './002-provisioning.js'
import { m003QueueOwners } from './003-queue-owners.js'
import { m004UserDocuments } from './004-user-documents.js'

/** Every migration in order. Append only: a shipped migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [m001Directory, m002Provisioning, m003QueueOwners, m004UserDocuments]

export type { Migration }
