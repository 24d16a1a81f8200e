/**
 * A SCIM user as the directory keeps it (UserRecord) and as a write gives it (UserInput).
 */

export interface EmailValue { value: string, type?: string | undefined, primary?: boolean | undefined }

/** A SCIM user as the directory keeps it. `resource` is the full SCIM JSON minus `meta` and `id`. */
export interface UserRecord {
  id: string
  userName: string
  externalId: string | null
  displayName: string | null
  active: boolean
  emails: EmailValue[]
  resource: Record<string, unknown>
  version: number
  created: string
  lastModified: string
}

export interface UserInput {
  userName: string
  externalId: string | null
  displayName: string | null
  active: boolean
  emails: EmailValue[]
  resource: Record<string, unknown>
}
