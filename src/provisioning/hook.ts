/**
 * What the SCIM request path asks of provisioning after a durable directory write: apply these
 * users' plans now, within a short budget, so the IdP normally sees the real outcome.
 * Transient failures stay queued (the answer is still 2xx); permanent Sinch rejections come back
 * so the directory use case can undo its write (the IdP gets a 400). This is the shape of the port
 * src/directory/ports.ts declares (ApplyNowPort); neither module imports the other: main.ts
 * passes the provisioner to createDirectory.
 */
export interface PermanentRejection {
  userId: string
  projectId: string
  detail: string
}

export interface ApplyOptions {
  /**
   * Makes the write all-or-nothing for the IdP: the user's plan stops at the first permanent
   * rejection, then — still holding the user's lock, so no queue worker plans the user in
   * between — `undo` puts the directory back and the plan runs again to take back what Sinch had
   * already accepted. Only while the IdP is still waiting: past the request budget the answer was
   * 2xx, so nothing is undone and the failure stays visible instead.
   */
  undo?: () => Promise<void>
}

export interface ProvisioningHook {
  applyNow (userIds: string[], options?: ApplyOptions): Promise<PermanentRejection[]>
}
