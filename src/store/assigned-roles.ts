/**
 * The role values a user's stored resource carries in RFC 7643 §4.1.2 `roles`: what the planner
 * reads (ProvisioningSubject.roles) and what decides whether a write re-plans the user. Kept beside
 * the stores because both read it from the `resource` JSON they already keep (no column needed).
 */
export function assignedRoleValues (resource: Record<string, unknown>): string[] {
  const roles = resource.roles
  if (!Array.isArray(roles)) return []
  const out = new Set<string>()
  for (const r of roles) {
    const v = roleEntryValue(r)
    if (v !== null) out.add(v)
  }
  return [...out].sort()
}

/**
 * One `roles` element's value. Entra's AppRoleAssignmentsComplex, without the aadOptscim062020
 * flag, PATCHes each element as `{"value": "{\"id\":…,\"value\":\"<app role value>\",\"displayName\":…}"}`
 * (Microsoft: "Customize attribute mappings", provisioning a role to a SCIM app): the app role's
 * value is inside the string.
 */
export function roleEntryValue (entry: unknown): string | null {
  if (typeof entry !== 'object' || entry === null) return null
  const value = (entry as { value?: unknown }).value
  if (typeof value !== 'string' || value.trim() === '') return null
  const text = value.trim()
  if (text.startsWith('{')) {
    try {
      const inner = JSON.parse(text) as { value?: unknown }
      if (typeof inner.value === 'string' && inner.value.trim() !== '') return inner.value.trim()
    } catch { /* not JSON: the string is the value */ }
  }
  return text
}
