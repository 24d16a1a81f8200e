/**
 * A SCIM group as the directory keeps it (GroupRecord) and as a write gives it (GroupInput).
 */

export interface GroupInput {
  displayName: string
  externalId: string | null
  memberIds: string[]
  resource: Record<string, unknown>
}

export interface GroupRecord extends GroupInput {
  id: string
  version: number
  created: string
  lastModified: string
}
