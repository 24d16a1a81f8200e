/**
 * What the directory use cases ask of provisioning after a durable write, declared here so the
 * directory depends on this narrow shape alone; src/provisioning/provisioner.ts implements it and
 * main.ts passes it in.
 */
export interface Rejection {
  userId: string
  projectId: string
  detail: string
}

export interface ApplyNowOptions {
  /**
   * Makes the write all-or-nothing for the IdP: on a permanent Sinch rejection provisioning calls
   * this, still holding the user's lock, then takes back what Sinch had already accepted. It is not
   * called once the IdP has had its answer (the request budget ran out).
   */
  undo?: () => Promise<void>
}

export interface ApplyNowPort {
  /** Applies these users' queued plans now, within the request budget; returns the permanent rejections. */
  applyNow (userIds: string[], options?: ApplyNowOptions): Promise<Rejection[]>
}

/** Where a use case reports what it keeps going past (a group stands whatever Sinch refused). */
export interface DirectoryLog {
  warn (obj: Record<string, unknown>, msg: string): void
}
