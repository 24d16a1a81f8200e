/**
 * Another process took over a user's queue claim while this one was working on it (this one's
 * heartbeat had expired or the renewal failed). The run stops before its next Sinch write and
 * leaves the queue entry alone: the new holder re-plans from what Sinch and the store now hold.
 */
export class ClaimLostError extends Error {
  readonly code = 'QUEUE_CLAIM_LOST'
  constructor (readonly userId: string) {
    super(`the queue claim on user ${userId} was taken over`)
    this.name = 'ClaimLostError'
  }
}
