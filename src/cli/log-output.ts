import type { DestinationStream } from 'pino'
import { createLogger, type Logger } from '../observability/logger.js'
import { UsageError } from './common.js'

export type LogFormat = 'json' | 'pretty'

/** --log-format: json | pretty; without it, pretty on a terminal and JSON everywhere else. */
export function logFormatOption (value: string | undefined, isTTY: boolean | undefined): LogFormat {
  if (value === undefined) return isTTY === true ? 'pretty' : 'json'
  if (value !== 'json' && value !== 'pretty') throw new UsageError(`--log-format: "${value}" is neither json nor pretty`)
  return value
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
/** Fields every line carries or that the line's head already shows. */
const HIDDEN = new Set(['level', 'time', 'msg', 'service', 'component', 'pid', 'hostname'])

const value = (v: unknown): string => {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)
  return JSON.stringify(v) ?? String(v)
}

/**
 * One pino JSON line as a person reads it: `12:04:05 WARN  reconciler: message key=value`.
 * pino has redacted the line already; this only rearranges it. A line that is not JSON passes as is.
 */
export function prettyLine (line: string): string {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line
  }
  const time = typeof o.time === 'string' ? o.time.slice(11, 19) : ''
  const level = (LEVELS[Number(o.level)] ?? String(o.level)).padEnd(5)
  const component = typeof o.component === 'string' ? `${o.component}: ` : ''
  const fields = Object.entries(o).filter(([k]) => !HIDDEN.has(k)).map(([k, v]) => `${k}=${value(v)}`)
  return `${time} ${level} ${component}${String(o.msg ?? '')}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}\n`
}

/** A pino destination that writes each line, rearranged for a person, to `out`. */
export function prettyDestination (out: { write: (text: string) => unknown }): DestinationStream {
  return {
    write (chunk: string) {
      for (const line of chunk.split('\n').filter((l) => l !== '')) out.write(prettyLine(line))
    }
  }
}

/**
 * The CLI's logger: JSON lines, or the pretty form, written to `out`. Without `out`, JSON goes
 * to standard output through pino's own buffered destination (a server's hot path).
 */
export function cliLogger (level: string, format: LogFormat, out?: { write: (text: string) => unknown }): Logger {
  if (format === 'pretty') return createLogger(level, prettyDestination(out ?? process.stdout))
  return out === undefined ? createLogger(level) : createLogger(level, { write (chunk: string) { out.write(chunk) } })
}
