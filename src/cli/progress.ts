import type { ReconcileProgress } from '../reconciler/reconciler.js'

/** The part of a terminal stream the progress line needs (process.stderr, or a test's stand-in). */
export interface TtyLike {
  isTTY?: boolean
  columns?: number
  write (text: string): boolean
}

export interface ProgressLine {
  update (p: ReconcileProgress): void
  /** Writes text (log lines) above the progress line, then repaints it. */
  write (text: string): void
  /** Clears the line, leaving the terminal as before it was first painted. */
  done (): void
}

const CLEAR = '\r\x1b[2K'
/** Repaints at most ten times a second: a member a microsecond would otherwise flood the terminal. */
const REPAINT_MS = 100

const count = (n: number): string => n.toLocaleString('en-US')

export function formatProgress (p: ReconcileProgress, elapsedMs: number): string {
  const seconds = elapsedMs / 1000
  const rate = seconds > 0 ? Math.round(p.membersListed / seconds) : 0
  const listing = p.project === null ? '' : ` · listing ${p.project}`
  return `reconcile: ${p.projectsListed}/${p.projectsTotal} projects, ${count(p.membersListed)} members listed (${count(rate)}/s), ${seconds.toFixed(1)} s${listing}`
}

/**
 * One self-overwriting line on a terminal. On anything else it writes nothing at all: a log file
 * or a pipe gets no carriage returns (text written through it passes straight on).
 */
export function createProgressLine (stream: TtyLike, now: () => number = Date.now): ProgressLine {
  const started = now()
  let last: ReconcileProgress | null = null
  let paintedAt = -Infinity
  let shown = false
  const tty = stream.isTTY === true
  const paint = (): void => {
    if (last === null) return
    // A terminal of unknown size (a pseudo-terminal nobody sized) reports 0 columns.
    const width = Math.max(20, ((stream.columns ?? 0) > 0 ? stream.columns ?? 80 : 80) - 1)
    // Cut to the terminal's width: a wrapped line cannot be overwritten by a carriage return.
    stream.write(`${CLEAR}${formatProgress(last, now() - started).slice(0, width)}`)
    shown = true
    paintedAt = now()
  }
  return {
    update (p) {
      if (!tty) return
      const boundary = last === null || p.projectsListed !== last.projectsListed || p.project !== last.project
      last = p
      if (boundary || now() - paintedAt >= REPAINT_MS) paint()
    },
    write (text) {
      if (!tty || !shown) {
        stream.write(text)
        return
      }
      stream.write(`${CLEAR}${text}`)
      paint()
    },
    done () {
      if (shown) stream.write(CLEAR)
      shown = false
      last = null
    }
  }
}
