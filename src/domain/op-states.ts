/** One row per (user, project): the last outcome, so admins and the SCIM extension can see it. */
export interface OpState {
  userId: string
  projectId: string
  state: 'pending' | 'done' | 'failed'
  lastError: string | null
  attempts: number
  updatedAt: string
}
