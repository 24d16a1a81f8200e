import type { Route } from './faults.js'

export interface LoggedRequest {
  seq: number
  at: string
  method: string
  path: string
  /** 'unmatched': a path this simulator's style does not serve (answered 404, as a gateway would). */
  route: Route | 'unmatched'
  projectId: string | null
  status: number
  keyId: string | null
  body: unknown
  dropped: boolean
}

const MAX = 200_000

/** What the simulator was asked and answered; tests read it to prove "no double invite". */
export class RequestLog {
  private entries: LoggedRequest[] = []
  private seq = 0
  enabled = true

  add (e: Omit<LoggedRequest, 'seq'>): void {
    if (!this.enabled) return
    this.entries.push({ ...e, seq: ++this.seq })
    if (this.entries.length > MAX) this.entries.splice(0, this.entries.length - MAX)
  }

  since (seq: number): LoggedRequest[] {
    return this.entries.filter((e) => e.seq > seq)
  }

  last (): number {
    return this.seq
  }

  clear (): void {
    this.entries = []
  }
}
