import type { SinchMember } from './schemas.js'

interface Entry { at: number, seq: number, byEmail: Map<string, SinchMember>, byId: Map<string, SinchMember> }

/**
 * The member listing of a project, kept for a while to answer "who is this?" after a 409 on
 * invite. There is no published way to look a member up by email (neither style documents a
 * filter on the member listing), so each 409 used to list the whole project: about 1,000 calls on
 * a 100,000-member project (issue 17). Now one listing serves every 409 of a reconcile: it is
 * rebuilt only when it was begun before the lookup asking, and one rebuild per project runs at a time.
 */
export class ListingCache {
  private readonly entries = new Map<string, Entry>()
  private readonly inflight = new Map<string, Promise<Entry>>()
  /** Orders lookups and listings: a listing begun after a lookup began can vouch for a miss. */
  private seq = 0

  constructor (private readonly ttlMs: number, private readonly now: () => number) {}

  async lookup (projectId: string, match: { email: string, userId: string | null }, list: () => AsyncIterable<SinchMember>): Promise<SinchMember | null> {
    const mine = ++this.seq
    const entry = this.entries.get(projectId)
    if (entry !== undefined && this.now() - entry.at < this.ttlMs) {
      const hit = find(entry, match)
      if (hit !== null) return hit
    }
    // A miss in a listing begun before this lookup may be a member added since: list again, at
    // most until one listing begun after this lookup has answered.
    for (;;) {
      const fresh = await this.rebuild(projectId, list)
      const hit = find(fresh, match)
      if (hit !== null || fresh.seq > mine) return hit
    }
  }

  /** Keeps a cached listing true to what the client itself changed. */
  note (m: SinchMember): void {
    const e = this.entries.get(m.projectId)
    if (e === undefined) return
    const old = e.byId.get(m.userId)
    if (old !== undefined) e.byEmail.delete(old.email.toLowerCase())
    e.byId.set(m.userId, m)
    e.byEmail.set(m.email.toLowerCase(), m)
  }

  forget (projectId: string, userId: string): void {
    const e = this.entries.get(projectId)
    const m = e?.byId.get(userId)
    if (e === undefined || m === undefined) return
    e.byId.delete(userId)
    e.byEmail.delete(m.email.toLowerCase())
  }

  clear (): void { this.entries.clear() }

  private async rebuild (projectId: string, list: () => AsyncIterable<SinchMember>): Promise<Entry> {
    let p = this.inflight.get(projectId)
    if (p === undefined) {
      p = (async () => {
        const e: Entry = { at: this.now(), seq: ++this.seq, byEmail: new Map(), byId: new Map() }
        for await (const m of list()) {
          e.byEmail.set(m.email.toLowerCase(), m)
          if (m.userId !== '') e.byId.set(m.userId, m)
        }
        this.entries.set(projectId, e)
        return e
      })().finally(() => this.inflight.delete(projectId))
      this.inflight.set(projectId, p)
    }
    return await p
  }
}

function find (e: Entry, match: { email: string, userId: string | null }): SinchMember | null {
  if (match.userId !== null) {
    const byId = e.byId.get(match.userId)
    if (byId !== undefined) return byId
  }
  return e.byEmail.get(match.email.toLowerCase()) ?? null
}
