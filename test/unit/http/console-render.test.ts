import { describe, expect, it } from 'vitest'
import { lineChart, niceCeil, overviewCharts } from '../../../src/http/console/charts.js'
import { escapeHtml, html, trusted } from '../../../src/http/console/html.js'
import { createCsrf } from '../../../src/http/console/security.js'
import type { Totals } from '../../../src/observability/sampler.js'

describe('html tagged template', () => {
  it('escapes every interpolated value, in text and in attributes, arrays included', () => {
    const evil = `"><script>alert('x')</script>&`
    const out = html`<p title="${evil}">${evil}${[evil, 1]}</p>`.value
    expect(out).toBe(`<p title="${escapeHtml(evil)}">${escapeHtml(evil)}${escapeHtml(evil)}1</p>`)
    expect(out).not.toMatch(/<script|"><|'x'/)
  })
  it('keeps nested html and trusted markup as they are, and renders false, null and undefined as nothing', () => {
    expect(html`<b>${html`<i>${'<'}</i>`}</b>${false}${null}${undefined}${trusted('<hr>')}`.value).toBe('<b><i>&lt;</i></b><hr>')
  })
})

const at = (i: number, sinchOk: number, rl = 0): Totals => ({ at: i * 60_000, queueDepth: i, sinch: { ok: sinchOk, rateLimited: rl, failed: 0 }, scim: { ok: 0, clientError: 0, serverError: 0 } })

describe('SVG charts', () => {
  it('say they are collecting with no data, and keep a 0–1 axis with all zeros', () => {
    expect(overviewCharts([])).toBeTruthy()
    const empty = lineChart('Queue', [{ name: 'q', values: [], tone: 3 }], 0, 'c').value
    expect(empty).toContain('collecting samples')
    expect(empty).not.toContain('<polyline')
    const zeros = lineChart('Queue', [{ name: 'q', values: [0, 0, 0], tone: 3 }], 120_000, 'c').value
    expect(zeros).toMatch(/text-anchor="end">1<\/text>/)
    // A flat line on the floor of the drawing area (y = 78), across its whole width.
    expect(zeros).toContain('points="34.0,78.0 174.0,78.0 314.0,78.0"')
  })
  it('scale a spike to a round number above it, inside the drawing area', () => {
    expect([niceCeil(0), niceCeil(3), niceCeil(7), niceCeil(12), niceCeil(4900)]).toEqual([1, 5, 10, 20, 5000])
    const spike = overviewCharts([at(0, 0), at(1, 2), at(2, 4902, 37), at(3, 4903)]).value
    const ys = [...spike.matchAll(/points="([^"]+)"/g)].flatMap((m) => (m[1] ?? '').split(' ').map((p) => Number(p.split(',')[1])))
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(8)
    expect(Math.max(...ys)).toBeLessThanOrEqual(78)
    expect(spike).toMatch(/text-anchor="end">5000<\/text>/)
    expect(spike).toContain('429: 0')
  })
})

describe('CSRF tokens', () => {
  it('accept a token once, recognise a repeat, refuse a forged, expired or keyless one', () => {
    let now = 1_000_000
    const csrf = createCsrf(() => 'admin-token-0123456789', () => now)
    const token = csrf.issue() ?? ''
    expect(csrf.check(token)).toBe('ok')
    expect(csrf.check(token)).toBe('repeat')
    const [issued, nonce] = token.split('.')
    expect(csrf.check(`${issued ?? ''}.${nonce ?? ''}.AAAA`)).toBe('invalid')
    expect(createCsrf(() => 'another-admin-token-000', () => now).check(csrf.issue() ?? '')).toBe('invalid')
    const old = csrf.issue() ?? ''
    now += 3 * 3_600_000
    expect(csrf.check(old)).toBe('invalid')
    expect(createCsrf(() => undefined).issue()).toBeNull()
  })
})
