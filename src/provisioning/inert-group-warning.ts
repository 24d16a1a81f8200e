import type { Logger } from '../observability/logger.js'
import type { GroupInput, GroupRecord } from '../domain/groups.js'
import { inertGrantReasons, type RulesConfig } from './rules.js'

interface GroupWriter {
  createGroup (g: GroupInput): Promise<GroupRecord>
  /** `target` names the group to replace: its current record (directory/) or its id, as the wrapped writer takes it. */
  replaceGroup (target: unknown, g: GroupInput, expectedVersion: number | null): Promise<GroupRecord>
}

/** Bounds the memory of groups already warned about; past it, a group may be warned about twice. */
const REMEMBERED = 10_000

/**
 * Logs once per group (and name) when a group the bridge reads as a grant grants nothing. The SCIM
 * answer is unchanged: IdPs push every assigned group, and refusing one would quarantine the app.
 */
export function warnOnInertGroups<T extends GroupWriter> (directory: T, rules: RulesConfig, logger: Logger): T {
  const warned = new Set<string>()
  const check = (g: GroupRecord): void => {
    const reasons = inertGrantReasons(g, rules)
    const key = `${g.id}\n${g.displayName}\n${g.externalId ?? ''}`
    if (reasons.length === 0 || warned.has(key)) return
    if (warned.size >= REMEMBERED) warned.clear()
    warned.add(key)
    logger.warn({ groupId: g.id, group: g.displayName, reasons }, 'group grants nothing in Sinch')
  }
  return {
    ...directory,
    async createGroup (g: GroupInput) {
      const created = await directory.createGroup(g)
      check(created)
      return created
    },
    async replaceGroup (target: Parameters<T['replaceGroup']>[0], g: GroupInput, expectedVersion: number | null) {
      const updated = await directory.replaceGroup(target, g, expectedVersion)
      check(updated)
      return updated
    }
  }
}
