/**
 * A SCIM group as the directory keeps it (GroupRecord) and as a write gives it (GroupInput).
 */

export interface GroupRecord {
  id: string
  displayName: string
  externalId: string | null
  memberIds: string[]
  resource: Record<string, unknown>
  version: number
  created: string
  lastModified: string
}

export interface GroupInput {
  displayName: string
  externalId: string | null
  memberIds: string[]
  resource: Record<string, unknown>
}
