import { Writable } from 'node:stream'
import { createLogger } from '../../src/observability/logger.js'

/** A logger at `level` (with the bridge's redaction) whose lines the test reads back as parsed JSON. */
export function captureLogs (level: string): { logger: ReturnType<typeof createLogger>, lines: () => Array<Record<string, any>> } {
  const out: string[] = []
  const sink = new Writable({ write (chunk, _enc, done) { out.push(String(chunk)); done() } })
  return { logger: createLogger(level, sink), lines: () => out.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>) }
}
