/**
 * What the SCIM request path asks of provisioning after a durable directory write: apply these
 * users' plans now, within a short budget, so the IdP normally sees the real outcome.
 * Transient failures stay queued (the answer is still 2xx); permanent Sinch rejections come back
 * so the SCIM layer can undo its write and answer 400.
 */
export interface PermanentRejection {
  userId: string
  projectId: string
  detail: string
}

export interface ProvisioningHook {
  applyNow (userIds: string[]): Promise<PermanentRejection[]>
}
