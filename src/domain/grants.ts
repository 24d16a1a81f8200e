import type { Role } from '../config/schema.js'

/** What one user should hold in one managed project, and the rule that says so (for the audit). */
export type Desired =
  | { kind: 'member', role: Role, rule: string }
  | { kind: 'none', rule: string }
  | { kind: 'suspended', rule: string }
  | { kind: 'readonly', rule: string }

export interface DesiredAccess {
  /** Identity email in the address normal form (addressKey), or null when the user has no usable email (nothing can be granted). */
  email: string | null
  /** The email as the IdP spelled it, sent to Sinch on invite. */
  emailAsSent: string | null
  projects: Map<string, Desired>
}

/** One role a group grants in one project, and the rule (mapping entry or naming convention) behind it. */
export interface GrantFrom { project: string, role: Role, rule: string }
