import { z } from 'zod'
import { settle, type SimContext } from './context.js'
import { FaultSchema } from './faults.js'
import { KeySchema, KnobsSchema } from './options.js'
import { memberJson } from './state.js'

const SeedSchema = z.object({
  projects: z.array(z.string().min(1)).optional(),
  members: z.array(z.object({
    project_id: z.string().min(1),
    email: z.string().min(3),
    // Any name: the dashboard may hold roles the API cannot grant ("Support member", "User manager").
    role: z.string().min(1),
    status: z.enum(['PENDING', 'ACTIVE', 'SUSPENDED']).optional(),
    display_name: z.string().optional()
  })).optional(),
  count: z.object({ project_id: z.string().min(1), n: z.number().int().positive().max(1_000_000), domain: z.string().optional(), role: z.string().min(1).optional() }).optional()
}).strict()

export type SeedInput = z.input<typeof SeedSchema>

/** The control plane's operations, callable in-process (sandbox) or over /__sim/ (tests, scripts). */
export function createControl (ctx: SimContext) {
  return {
    reset () {
      ctx.state.reset(ctx.initialProjects)
      ctx.faults.clear()
      ctx.limiter.reset()
      ctx.log.clear()
    },
    seed (input: SeedInput) {
      const s = SeedSchema.parse(input)
      const now = ctx.clock.now()
      for (const p of s.projects ?? []) ctx.state.addProject(p)
      for (const m of s.members ?? []) {
        const existing = ctx.state.project(m.project_id)?.byEmail.get(m.email.toLowerCase())
        if (existing !== undefined) ctx.state.project(m.project_id)?.remove(existing)
        ctx.state.addMember(m.project_id, { email: m.email, role: m.role, status: m.status ?? 'ACTIVE', ...(m.display_name === undefined ? {} : { displayName: m.display_name }) }, now)
      }
      if (s.count !== undefined) {
        const { project_id: p, n, domain = `${s.count.project_id}.example`, role = ctx.knobs.roleNames.MEMBER } = s.count
        const base = ctx.state.project(p)?.ordered.length ?? 0
        for (let i = 0; i < n; i++) ctx.state.addMember(p, { email: `member${base + i}@${domain}`, role, status: 'ACTIVE' }, now)
      }
      return { ok: true }
    },
    dump (project?: string) {
      const projects: Record<string, unknown[]> = {}
      for (const [id, members] of ctx.state.projects) {
        if (project !== undefined && id !== project) continue
        projects[id] = members.ordered.map((m) => memberJson(settle(ctx, m)))
      }
      return { projects }
    },
    requests (since = 0) {
      return { requests: ctx.log.since(since), last: ctx.log.last() }
    },
    clearRequests () { ctx.log.clear() },
    acceptInvites (filter: { project_id?: string, email?: string } = {}) {
      let accepted = 0
      for (const [id, members] of ctx.state.projects) {
        if (filter.project_id !== undefined && id !== filter.project_id) continue
        for (const m of members.ordered) {
          if (m.status !== 'PENDING' || (filter.email !== undefined && m.email.toLowerCase() !== filter.email.toLowerCase())) continue
          m.status = 'ACTIVE'
          m.updatedAt = ctx.clock.now()
          accepted++
        }
      }
      return { accepted }
    },
    expireInvite (filter: { project_id: string, email: string }) {
      const project = ctx.state.project(filter.project_id)
      const m = project?.byEmail.get(filter.email.toLowerCase())
      if (project === undefined || m === undefined || m.status !== 'PENDING') return { expired: 0 }
      project.remove(m)
      return { expired: 1 }
    },
    addFault (input: unknown) { ctx.faults.add(FaultSchema.parse(input)) },
    clearFaults () { ctx.faults.clear() },
    configure (input: unknown) {
      const patch = KnobsSchema.partial().parse(input)
      // zod 4 applies a field's default inside partial(): keep only the knobs the caller named,
      // or every configure would reset the others (autoAcceptMs, roleNames …) to their defaults.
      const named = new Set(Object.keys(typeof input === 'object' && input !== null ? input : {}))
      Object.assign(ctx.knobs, Object.fromEntries(Object.entries(patch).filter(([k]) => named.has(k))))
      ctx.log.enabled = ctx.knobs.requestLog
    },
    addKey (input: unknown) {
      const k = KeySchema.parse(input)
      ctx.keys.set(k.id, { ...k, revoked: false })
    },
    revokeKey (id: string) {
      const k = ctx.keys.get(id)
      if (k !== undefined) k.revoked = true
      return { revoked: k === undefined ? 0 : 1 }
    },
    advanceClock (ms: number) {
      const clock = ctx.clock as { advance?: (ms: number) => void }
      if (clock.advance === undefined) throw new Error('the simulator runs on the real clock; start it with a manual clock to advance time')
      clock.advance(ms)
    }
  }
}

export type SimControlApi = ReturnType<typeof createControl>
