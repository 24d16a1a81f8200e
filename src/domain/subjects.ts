import type { EmailValue } from './users.js'

/** What provisioning needs of a user: who they are and which groups they are in. */
export interface ProvisioningSubject {
  userId: string
  userName: string
  active: boolean
  /** True once the user is deleted through SCIM: the tombstone keeps access removal durable. */
  deleted: boolean
  emails: EmailValue[]
  groups: Array<{ id: string, displayName: string, externalId: string | null }>
  /** Values of the user's `roles` (assigned directly in the IdP), as assignedRoleValues reads them. */
  roles?: string[] | undefined
}
