import type { Rejection } from './ports.js'

/** A group write names members that are not (live) users. */
export class UnknownMembersError extends Error {
  readonly code = 'DIRECTORY_UNKNOWN_MEMBERS'
  constructor (readonly memberIds: string[]) {
    super(`Unknown member id(s): ${memberIds.slice(0, 5).join(', ')}`)
  }
}

/** Sinch refused a user's change for good; the directory write was undone. */
export class SinchRejectedError extends Error {
  readonly code = 'DIRECTORY_SINCH_REJECTED'
  constructor (readonly rejections: Rejection[]) {
    super(`Sinch rejected the change: ${rejections.map((r) => `${r.projectId}: ${r.detail}`).join('; ')}`)
  }
}
