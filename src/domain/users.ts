/**
 * A SCIM user as the directory keeps it (UserRecord) and as a write gives it (UserInput).
 */

export interface EmailValue { value: string, type?: string | undefined, primary?: boolean | undefined }

/** What a write gives: the user's attributes; `resource` is the full SCIM JSON minus `meta` and `id`. */
export interface UserInput {
  userName: string
  externalId: string | null
  displayName: string | null
  active: boolean
  emails: EmailValue[]
  resource: Record<string, unknown>
}

/** A SCIM user as the directory keeps it: what was written, with its id, version and times. */
export interface UserRecord extends UserInput {
  id: string
  version: number
  created: string
  lastModified: string
}
