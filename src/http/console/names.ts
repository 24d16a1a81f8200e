import type { Where } from '../../store/directory-store.js'
import type { ConsoleDeps } from './deps.js'

export interface PersonName { id: string, userName: string | null, displayName: string | null }

const CHUNK = 100

/** userName and display name of many users in a few queries (a page of rows names up to 200 people). */
export async function namesOf (store: ConsoleDeps['store'], ids: Iterable<string>): Promise<Map<string, PersonName>> {
  const unique = [...new Set(ids)].filter((id) => id !== '')
  const out = new Map<string, PersonName>(unique.map((id) => [id, { id, userName: null, displayName: null }]))
  for (let i = 0; i < unique.length; i += CHUNK) {
    const where: Where = unique.slice(i, i + CHUNK).map((id) => [{ attr: 'id', op: 'eq', value: id, negate: false }])
    const { records } = await store.queryUsers({ where, sortBy: null, descending: false, offset: 0, limit: CHUNK })
    for (const u of records) out.set(u.id, { id: u.id, userName: u.userName, displayName: u.displayName })
  }
  return out
}

export const nameOf = (names: Map<string, PersonName>, id: string): PersonName => names.get(id) ?? { id, userName: null, displayName: null }

/** Search by name, email or id: userName, displayName and emails contain it, or id / externalId equal it. */
export function searchWhere (q: string): Where {
  const t = (attr: 'userName' | 'displayName' | 'emails.value' | 'id' | 'externalId', op: 'co' | 'eq'): Where[number] => [{ attr, op, value: q, negate: false }]
  return [t('userName', 'co'), t('displayName', 'co'), t('emails.value', 'co'), t('id', 'eq'), t('externalId', 'eq')]
}
