import { ROLES, type Role } from '../config/schema.js'

/** READONLY < MEMBER < ADMIN < OWNER: a user's role in a project is the highest grant. */
export function roleRank (role: Role): number {
  return ROLES.indexOf(role)
}

export function highestRole (roles: Role[]): Role | null {
  let best: Role | null = null
  for (const r of roles) if (best === null || roleRank(r) > roleRank(best)) best = r
  return best
}
