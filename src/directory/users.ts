import type { DirectoryStore, UserView } from '../store/directory-store.js'
import type { UserInput } from '../domain/users.js'
import type { UserRecord } from '../domain/users.js'
import { SinchRejectedError } from './errors.js'
import type { ApplyNowPort } from './ports.js'

export interface UserCaseDeps {
  store: DirectoryStore
  provisioning?: ApplyNowPort | undefined
}

/** Create, replace (PUT and PATCH alike) and delete of a user: durable write, apply now, undo on rejection. */
export function createUserCases ({ store, provisioning }: UserCaseDeps) {
  /** Puts a user back as it was before the write (null: the write created it). */
  async function restore (previous: UserRecord | null, writtenId: string): Promise<void> {
    if (previous === null) {
      await store.deleteUser(writtenId, null)
      return
    }
    const { userName, externalId, displayName, active, emails, resource } = previous
    await store.updateUser(previous.id, { userName, externalId, displayName, active, emails, resource }, null)
  }

  /**
   * After the durable write: apply the users it queued now so the IdP sees the real outcome. A
   * permanent Sinch rejection of a user who should hold access undoes the write and whatever Sinch
   * had already accepted (ApplyNowOptions.undo), and fails the use case. Offboarding (active=false)
   * always stands, like a delete: undoing it would hand access back; what Sinch refuses stays
   * visible as a failed change on the status page, in /metrics and in the audit log.
   */
  async function apply (previous: UserRecord | null, written: UserRecord, queued: string[]): Promise<void> {
    if (provisioning === undefined || queued.length === 0) return
    if (!written.active) {
      await provisioning.applyNow(queued)
      return
    }
    let undone = false
    const undo = async (): Promise<void> => {
      await restore(previous, written.id)
      undone = true
    }
    const rejections = (await provisioning.applyNow(queued, { undo })).filter((r) => r.userId === written.id)
    if (rejections.length > 0 && undone) throw new SinchRejectedError(rejections)
  }

  return {
    async createUser (input: UserInput): Promise<UserRecord> {
      const { record, queued } = await store.createUserAndQueue(input)
      await apply(null, record, queued)
      return record
    },
    /**
     * Replaces a user (PUT and PATCH) from the view the caller read, answered with the view a
     * read would now show; `expectedVersion` null = unconditional (no If-Match). A
     * write that queued nothing changed neither the user's groups (a user write never does) nor
     * its Sinch members or ops (only provisioning writes those), so the view read before it still
     * holds them and is not read again; a write that queued provisioning is read back after it.
     * A group write or a queue run that touched this user between the caller's read and this write
     * shows in the next read, not in this answer (the record itself is always the one written).
     */
    async replaceUserView (previous: UserView, input: UserInput, expectedVersion: number | null): Promise<UserView> {
      const { record, queued } = await store.updateUserAndQueue(previous.record.id, input, expectedVersion)
      await apply(previous.record, record, queued)
      if (queued.length === 0) return { ...previous, record }
      const [view] = await store.userViews([record.id])
      return view ?? { record, groups: [], members: [], ops: [] }
    },
    async deleteUser (user: UserRecord, expectedVersion: number | null): Promise<void> {
      const { queued } = await store.deleteUserAndQueue(user.id, expectedVersion)
      // Deletion always stands: access removal that Sinch refuses stays queued and visible.
      await provisioning?.applyNow(queued)
    }
  }
}
