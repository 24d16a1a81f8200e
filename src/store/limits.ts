import type { DirectoryStore } from './directory-store.js'
import type { GroupInput } from '../domain/groups.js'
import type { UserInput } from '../domain/users.js'

/**
 * The longest indexed value (userName, displayName, externalId, an email) the store accepts, in
 * UTF-16 units. A PostgreSQL btree entry holds at most ~2,700 bytes (PostgreSQL manual §67.4;
 * 512 units are at most 1,536 bytes of UTF-8), while SQLite has no such limit: without one, a
 * long userName was a 201 on SQLite and a 500 on PostgreSQL. Real values are far shorter (an email
 * address is at most 254 characters, RFC 5321 §4.5.3.1; Entra and Okta names at most 256).
 */
export const MAX_INDEXED_LENGTH = 512

export class StoreValueTooLongError extends Error {
  readonly code = 'STORE_VALUE_TOO_LONG'
  constructor (readonly attribute: string) {
    super(`${attribute} is longer than ${MAX_INDEXED_LENGTH} characters`)
  }
}

function check (attribute: string, value: string | null | undefined): void {
  if (typeof value === 'string' && value.length > MAX_INDEXED_LENGTH) throw new StoreValueTooLongError(attribute)
}

function checkUser (u: UserInput): void {
  check('userName', u.userName)
  check('displayName', u.displayName)
  check('externalId', u.externalId)
  for (const e of u.emails) {
    check('emails.value', typeof e.value === 'string' ? e.value : null)
    check('emails.type', e.type)
  }
}

function checkGroup (g: GroupInput): void {
  check('displayName', g.displayName)
  check('externalId', g.externalId)
}

/** `store` with its writes (plain and queuing alike) refusing over-long indexed values, the same on both engines. */
export function guardLimits<T extends DirectoryStore> (store: T): T {
  return {
    ...store,
    createUserAndQueue: async (u) => { checkUser(u); return await store.createUserAndQueue(u) },
    updateUserAndQueue: async (id, u, expected) => { checkUser(u); return await store.updateUserAndQueue(id, u, expected) },
    createGroupAndQueue: async (g) => { checkGroup(g); return await store.createGroupAndQueue(g) },
    updateGroupAndQueue: async (id, g, expected) => { checkGroup(g); return await store.updateGroupAndQueue(id, g, expected) },
    createUser: async (u) => { checkUser(u); return await store.createUser(u) },
    updateUser: async (id, u, expected) => { checkUser(u); return await store.updateUser(id, u, expected) },
    createGroup: async (g) => { checkGroup(g); return await store.createGroup(g) },
    updateGroup: async (id, g, expected) => { checkGroup(g); return await store.updateGroup(id, g, expected) }
  }
}
