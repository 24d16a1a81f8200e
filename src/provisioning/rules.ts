import type { AdoptPolicy, Role } from '../config/schema.js'
import type { Desired, DesiredAccess, GrantFrom } from '../domain/grants.js'
import type { ProvisioningSubject } from '../domain/subjects.js'
import type { EmailValue } from '../domain/users.js'
import { addressKey } from '../store/address-key.js'
import type { GroupMapping } from './mapping-file.js'
import { highestRole, roleRank } from './roles.js'
import { ROLES } from '../config/schema.js'
import type { RoleCatalogue } from '../domain/role-catalogue.js'
import { createRoleCatalogue } from './role-catalogue.js'

export interface RulesConfig {
  managedProjects: string[]
  defaultProjects: string[]
  defaultRole: Role
  allowOwner: boolean
  deactivateAction: 'remove' | 'suspend' | 'readonly'
  /** Whether an existing Sinch member with the user's address may be taken over. */
  adoptExisting: AdoptPolicy
  /** Null: groups grant access by the `sinch:<projectId>:<ROLE>` naming convention. */
  mapping: GroupMapping | null
  /** The mapping file's `roles` list (the catalogue offered to the IdP); null/absent = every grantable role. */
  offeredRoles?: Array<{ project: string, role: Role }> | null | undefined
}

/** The rule named when an active user has no address to invite (a note says so on every project). */
export const NO_EMAIL = 'no usable email'

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Identity in Sinch is the email: primary, else first work, else first, else a userName that is one. */
export function identityEmail (emails: EmailValue[], userName: string): string | null {
  const usable = emails.filter((e) => typeof e.value === 'string' && EMAIL.test(e.value.trim()))
  const pick = usable.find((e) => e.primary === true) ??
    usable.find((e) => (e.type ?? '').toLowerCase() === 'work') ??
    usable[0]
  if (pick !== undefined) return pick.value.trim()
  return EMAIL.test(userName.trim()) ? userName.trim() : null
}

const CONVENTION = /^sinch:([A-Za-z0-9][A-Za-z0-9_-]*):([A-Za-z]+)$/

/** The grants each of a subject's groups gives, with the rule that names it (the console shows them per group). */
export function groupGrants (subject: ProvisioningSubject, rules: RulesConfig): GrantFrom[] {
  const out: GrantFrom[] = []
  for (const g of subject.groups) {
    if (rules.mapping !== null) {
      const seen = new Set<string>()
      for (const key of [g.displayName, g.externalId]) {
        if (key === null || seen.has(key.toLowerCase())) continue
        seen.add(key.toLowerCase())
        for (const grant of rules.mapping.get(key.toLowerCase()) ?? []) {
          out.push({ project: grant.project, role: grant.role, rule: `group "${g.displayName}" (mapping file)` })
        }
      }
      continue
    }
    const m = CONVENTION.exec(g.displayName.trim())
    const role = m?.[2]?.toUpperCase()
    if (m?.[1] !== undefined && role !== undefined && (ROLES as readonly string[]).includes(role)) {
      out.push({ project: m[1], role: role as Role, rule: `group "${g.displayName}" (naming convention)` })
    }
  }
  return out
}

const catalogues = new WeakMap<RulesConfig, RoleCatalogue>()

/** The catalogue these rules offer (role-catalogue.ts), built once per rules object. */
export function catalogueOf (rules: RulesConfig): RoleCatalogue {
  let c = catalogues.get(rules)
  if (c === undefined) {
    c = createRoleCatalogue({ managedProjects: rules.managedProjects, allowOwner: rules.allowOwner, offered: rules.offeredRoles ?? null })
    catalogues.set(rules, c)
  }
  return c
}

/**
 * Roles assigned directly in the IdP (Okta entitlements, Entra app roles) through `roles`. The SCIM
 * write path refuses a value outside the catalogue; one stored earlier and no longer offered (the
 * configuration changed since) grants nothing rather than guessing what it meant.
 */
function assignedGrants (subject: ProvisioningSubject, rules: RulesConfig): GrantFrom[] {
  const out: GrantFrom[] = []
  for (const v of subject.roles ?? []) {
    const r = catalogueOf(rules).resolve(v)
    if (r !== null) out.push({ project: r.project, role: r.role, rule: `assigned role "${r.value}"` })
  }
  return out
}

/**
 * Why a group the bridge would read as a grant gives nobody anything, or [] when it grants
 * something or is simply not a bridge group (IdPs push groups for many apps; those are not
 * warned about). Issue 16: `sinch:not-managed-prj:ADMIN`, or OWNER without ALLOW_OWNER.
 */
export function inertGrantReasons (group: { displayName: string, externalId: string | null }, rules: RulesConfig): string[] {
  const grants: Array<{ project: string, role: string }> = []
  if (rules.mapping !== null) {
    for (const key of new Set([group.displayName, group.externalId].filter((k): k is string => k !== null).map((k) => k.toLowerCase()))) {
      grants.push(...(rules.mapping.get(key) ?? []))
    }
  } else {
    const name = group.displayName.trim()
    if (!/^sinch:/i.test(name)) return []
    const m = CONVENTION.exec(name)
    if (m?.[1] === undefined || m[2] === undefined) return [`"${name}" is not sinch:<projectId>:<ROLE>`]
    grants.push({ project: m[1], role: m[2].toUpperCase() })
  }
  const reasons: string[] = []
  for (const g of grants) {
    if (!rules.managedProjects.includes(g.project)) reasons.push(`project "${g.project}" is not in SINCH_PROJECT_IDS`)
    else if (!(ROLES as readonly string[]).includes(g.role)) reasons.push(`"${g.role}" is not a role (${ROLES.join(', ')})`)
    else if (g.role === 'OWNER' && !rules.allowOwner) reasons.push(`OWNER in "${g.project}" is granted only with ALLOW_OWNER=true`)
  }
  // Inert only if no grant works: one usable grant among several is a working group.
  return reasons.length === grants.length ? reasons : []
}

function offboarded (subject: ProvisioningSubject, rules: RulesConfig): Desired {
  if (subject.deleted) return { kind: 'none', rule: 'user deleted' }
  const rule = `user deactivated (DEACTIVATE_ACTION=${rules.deactivateAction})`
  switch (rules.deactivateAction) {
    case 'remove': return { kind: 'none', rule }
    case 'suspend': return { kind: 'suspended', rule }
    case 'readonly': return { kind: 'readonly', rule }
  }
}

/**
 * The mapping rules of DESIGN.md in one pure function: who should hold which role in which
 * managed project: the highest of the default role, the groups' grants and the directly assigned
 * roles. Projects outside SINCH_PROJECT_IDS never appear, whatever a group says.
 */
export function desiredAccess (subject: ProvisioningSubject, rules: RulesConfig): DesiredAccess {
  const emailAsSent = identityEmail(subject.emails, subject.userName)
  const email = emailAsSent === null ? null : addressKey(emailAsSent)
  const projects = new Map<string, Desired>()
  const active = subject.active && !subject.deleted
  if (!active || email === null) {
    const d: Desired = email === null && active ? { kind: 'none', rule: NO_EMAIL } : offboarded(subject, rules)
    for (const p of rules.managedProjects) projects.set(p, d)
    return { email, emailAsSent, projects }
  }
  const grants: GrantFrom[] = rules.defaultProjects.map((p) => ({ project: p, role: rules.defaultRole, rule: 'default projects' }))
  grants.push(...groupGrants(subject, rules), ...assignedGrants(subject, rules))
  for (const p of rules.managedProjects) {
    const mine = grants.filter((g) => g.project === p && (rules.allowOwner || g.role !== 'OWNER'))
    const top = highestRole(mine.map((g) => g.role))
    if (top === null) {
      projects.set(p, { kind: 'none', rule: 'no grant for this project' })
      continue
    }
    const winner = mine.find((g) => g.role === top)
    projects.set(p, { kind: 'member', role: top, rule: winner?.rule ?? 'grant' })
  }
  return { email, emailAsSent, projects }
}

export { roleRank }
