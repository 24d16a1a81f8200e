import { describe, expect, it } from 'vitest'
import { createProgressLine, formatProgress, type TtyLike } from '../../../src/cli/progress.js'
import { cliLogger, logFormatOption, prettyLine } from '../../../src/cli/log-output.js'

/** A terminal stand-in: records what was written, and what a screen would show after it. */
function fakeTty (isTTY: boolean, columns = 100): TtyLike & { raw: string, screen: () => string } {
  const t = {
    isTTY,
    columns,
    raw: '',
    write (text: string) { t.raw += text; return true },
    // \r\x1b[2K erases the current line: what is left on screen is the text after the last erase.
    screen: () => t.raw.split('\n').map((line) => line.split('\r\x1b[2K').at(-1) ?? '').join('\n')
  }
  return t
}

const at = (projectsListed: number, project: string | null, membersListed: number) => ({ projectsTotal: 3, projectsListed, project, membersListed })

describe('reconcile progress line', () => {
  it('shows projects listed / total, members, rate and elapsed time, overwriting itself', () => {
    let clock = 0
    const tty = fakeTty(true)
    const line = createProgressLine(tty, () => clock)
    line.update(at(0, 'p1', 0))
    clock = 2000
    line.update(at(1, 'p2', 5000))
    expect(tty.screen()).toBe('reconcile: 1/3 projects, 5,000 members listed (2,500/s), 2.0 s · listing p2')
    expect(tty.raw).not.toContain('\n')
  })

  it('repaints at most every 100 ms between project boundaries', () => {
    let clock = 0
    const tty = fakeTty(true)
    const line = createProgressLine(tty, () => clock)
    line.update(at(0, 'p1', 0))
    const paints = (): number => tty.raw.split('\r\x1b[2K').length - 1
    for (let i = 1; i <= 1000; i++) { clock = i / 10; line.update(at(0, 'p1', i)) }
    expect(paints()).toBe(1 + 1) // the first, then one at 100 ms
    expect(tty.screen()).toContain('1,000 members listed')
  })

  it('clears the line at the end, and log lines written meanwhile stand above it', () => {
    let clock = 0
    const tty = fakeTty(true)
    const line = createProgressLine(tty, () => clock)
    line.update(at(0, 'p1', 10))
    clock = 50
    line.write('12:00:00 WARN  something\n')
    expect(tty.screen()).toBe('12:00:00 WARN  something\nreconcile: 0/3 projects, 10 members listed (200/s), 0.1 s · listing p1')
    line.done()
    expect(tty.screen()).toBe('12:00:00 WARN  something\n')
  })

  it('is cut to the terminal width (a wrapped line cannot be overwritten)', () => {
    const tty = fakeTty(true, 30)
    createProgressLine(tty, () => 0).update(at(0, 'a-long-project-name', 0))
    expect(tty.screen().length).toBeLessThanOrEqual(29)
  })

  it('writes nothing but the text passed through when the stream is not a terminal', () => {
    const pipe = fakeTty(false)
    const line = createProgressLine(pipe, () => 0)
    line.update(at(0, 'p1', 1))
    line.write('{"level":40}\n')
    line.done()
    expect(pipe.raw).toBe('{"level":40}\n')
  })

  it('formats a run that has not started its clock', () => {
    expect(formatProgress(at(0, null, 0), 0)).toBe('reconcile: 0/3 projects, 0 members listed (0/s), 0.0 s')
  })
})

describe('CLI log format', () => {
  it('defaults to pretty on a terminal, JSON elsewhere; refuses anything else', () => {
    expect(logFormatOption(undefined, true)).toBe('pretty')
    expect(logFormatOption(undefined, false)).toBe('json')
    expect(logFormatOption(undefined, undefined)).toBe('json')
    expect(logFormatOption('json', true)).toBe('json')
    expect(() => logFormatOption('yaml', true)).toThrow(/--log-format: "yaml"/)
  })

  it('pretty: time, level, component and message, then the other fields, secrets still redacted', () => {
    let out = ''
    const log = cliLogger('info', 'pretty', { write: (t: string) => { out += t } })
    log.child({ component: 'reconciler' }).warn({ projectId: 'p1', token: 'sekrit-value', note: 'two words' }, 'lease lost')
    log.debug('hidden')
    expect(out).toMatch(/^\d\d:\d\d:\d\d WARN {2}reconciler: lease lost projectId=p1 token=\[redacted\] note="two words"\n$/)
    expect(out).not.toContain('sekrit')
  })

  it('json: one pino line per entry', () => {
    let out = ''
    cliLogger('info', 'json', { write: (t: string) => { out += t } }).info({ a: 1 }, 'hello')
    expect(JSON.parse(out)).toMatchObject({ level: 30, msg: 'hello', a: 1, service: 'sinch-scim-bridge' })
  })

  it('a line that is not JSON passes unchanged', () => {
    expect(prettyLine('not json')).toBe('not json')
  })
})
