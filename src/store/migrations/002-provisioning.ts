import type { Migration } from './types.js'

// Placeholder: known Sinch members, op states, audit, leases and settings are added here.
export const m002Provisioning: Migration = {
  id: 2,
  name: 'provisioning',
  sqlite: 'SELECT 1;',
  postgres: 'SELECT 1;'
}
