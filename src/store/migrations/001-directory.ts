import type { Migration } from './types.js'
import { PROVISION_QUEUE_DDL } from '../sqlite/queue-sql.js'

// Placeholder: the directory tables (users, emails, groups, group members) are added here.
export const m001Directory: Migration = {
  id: 1,
  name: 'directory',
  sqlite: PROVISION_QUEUE_DDL,
  postgres: PROVISION_QUEUE_DDL
}
