import { randomUUID } from 'node:crypto'

export type Role = 'OWNER' | 'ADMIN' | 'MEMBER' | 'READONLY'
/** A role as the account names it: one of the guide's, a renamed one (roleNames knob), or any seeded name. */
export type RoleName = string
export type Status = 'PENDING' | 'ACTIVE' | 'SUSPENDED'

export interface Member {
  seq: number
  userId: string
  email: string
  displayName: string
  role: RoleName
  status: Status
  projectId: string
  createdAt: number
  updatedAt: number
  invitedAt: number
}

export interface StateSnapshot {
  seq: number
  userIds: Record<string, string>
  projects: Record<string, Member[]>
}

/** One project's members, kept in insertion order so page tokens can resume after a sequence number. */
class ProjectMembers {
  readonly byId = new Map<string, Member>()
  readonly byEmail = new Map<string, Member>()
  readonly ordered: Member[] = []

  add (m: Member): void {
    this.byId.set(m.userId, m)
    this.byEmail.set(m.email.toLowerCase(), m)
    this.ordered.push(m)
  }

  remove (m: Member): void {
    this.byId.delete(m.userId)
    this.byEmail.delete(m.email.toLowerCase())
    const i = this.indexAfter(m.seq - 1)
    if (this.ordered[i] === m) this.ordered.splice(i, 1)
  }

  /** Index of the first member whose seq is greater than `seq` (binary search). */
  indexAfter (seq: number): number {
    let lo = 0
    let hi = this.ordered.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.ordered[mid]?.seq ?? 0) <= seq) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** The simulated account: projects, members, and one user id per email across all projects. */
export class SimState {
  readonly projects = new Map<string, ProjectMembers>()
  private readonly userIds = new Map<string, string>()
  private seq = 0

  constructor (projectIds: string[]) {
    for (const p of projectIds) this.addProject(p)
  }

  addProject (id: string): void {
    if (!this.projects.has(id)) this.projects.set(id, new ProjectMembers())
  }

  project (id: string): ProjectMembers | undefined {
    return this.projects.get(id)
  }

  userIdFor (email: string): string {
    const key = email.toLowerCase()
    let id = this.userIds.get(key)
    if (id === undefined) {
      id = randomUUID()
      this.userIds.set(key, id)
    }
    return id
  }

  addMember (projectId: string, input: { email: string, role: RoleName, status: Status, displayName?: string }, now: number): Member {
    this.addProject(projectId)
    const project = this.projects.get(projectId) as ProjectMembers
    const m: Member = {
      seq: ++this.seq,
      userId: this.userIdFor(input.email),
      email: input.email,
      displayName: input.displayName ?? input.email.split('@')[0] ?? '',
      role: input.role,
      status: input.status,
      projectId,
      createdAt: now,
      updatedAt: now,
      invitedAt: now
    }
    project.add(m)
    return m
  }

  /** Everything a restart must not forget: members in list order, the email → user id map, the sequence. */
  snapshot (): StateSnapshot {
    return {
      seq: this.seq,
      userIds: Object.fromEntries(this.userIds),
      projects: Object.fromEntries([...this.projects].map(([id, p]) => [id, p.ordered.map((m) => ({ ...m }))]))
    }
  }

  /** Projects configured since the snapshot stay (empty); the snapshot's own come back as saved. */
  restore (snap: StateSnapshot): void {
    this.userIds.clear()
    for (const [email, id] of Object.entries(snap.userIds)) this.userIds.set(email, id)
    for (const [id, members] of Object.entries(snap.projects)) {
      const project = new ProjectMembers()
      for (const m of members) project.add({ ...m })
      this.projects.set(id, project)
    }
    this.seq = snap.seq
  }

  reset (projectIds: string[]): void {
    this.projects.clear()
    for (const p of projectIds) this.addProject(p)
  }
}

export function memberJson (m: Member): Record<string, unknown> {
  return {
    user_id: m.userId,
    email: m.email,
    display_name: m.displayName,
    role: m.role,
    status: m.status,
    project_id: m.projectId,
    created_at: new Date(m.createdAt).toISOString(),
    updated_at: new Date(m.updatedAt).toISOString()
  }
}
