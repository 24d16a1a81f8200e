import type { Totals } from '../../observability/sampler.js'
import { html, type Html } from './html.js'

/** `tone` picks the colour: 0 ok, 1 warning, 2 failure, 3 neutral. */
export interface Series { name: string, values: number[], tone: 0 | 1 | 2 | 3 }

const W = 320
const H = 96
const PAD = { left: 34, right: 6, top: 8, bottom: 18 }

/** The smallest 1, 2 or 5 × 10ⁿ at or above `v`, so the top gridline is a round number. */
export function niceCeil (v: number): number {
  if (v <= 1) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p
  return 10 * p
}

function span (ms: number): string {
  const min = Math.round(ms / 60_000)
  return min < 1 ? `${Math.round(ms / 1000)} s ago` : min < 120 ? `${min} min ago` : `${Math.round(min / 60)} h ago`
}

/**
 * A small line chart as SVG, drawn on the server. Readable with no data (a baseline and a note),
 * with all zeros (the axis stays 0–1, not 0–0) and with a spike (the axis rises to a round number
 * above it, so the spike touches the top and the rest stays visible as a line near the floor).
 */
export function lineChart (title: string, series: Series[], spanMs: number, id: string): Html {
  const points = Math.max(0, ...series.map((s) => s.values.length))
  const max = niceCeil(Math.max(0, ...series.flatMap((s) => s.values)))
  const iw = W - PAD.left - PAD.right
  const ih = H - PAD.top - PAD.bottom
  const x = (i: number): number => PAD.left + (points <= 1 ? iw : (i * iw) / (points - 1))
  const y = (v: number): number => PAD.top + ih - (Math.max(0, v) / max) * ih
  const lines = points < 2
    ? html`<text x="${PAD.left + iw / 2}" y="${PAD.top + ih / 2}" text-anchor="middle">collecting samples…</text>`
    : series.map((s) => html`<polyline class="s${s.tone}" points="${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`)
  const latest = series.map((s) => s.values.at(-1) ?? 0)
  return html`<figure id="${id}"><figcaption>${title}</figcaption>
<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${title}: ${series.map((s, k) => `${s.name} ${latest[k] ?? 0} now`).join(', ')}">
<line class="grid" x1="${PAD.left}" y1="${PAD.top}" x2="${W - PAD.right}" y2="${PAD.top}"/>
<line class="axis" x1="${PAD.left}" y1="${PAD.top + ih}" x2="${W - PAD.right}" y2="${PAD.top + ih}"/>
<text x="${PAD.left - 4}" y="${PAD.top + 4}" text-anchor="end">${max}</text>
<text x="${PAD.left - 4}" y="${PAD.top + ih + 4}" text-anchor="end">0</text>
<text x="${PAD.left}" y="${H - 4}">${points < 2 ? '' : span(spanMs)}</text>
<text x="${W - PAD.right}" y="${H - 4}" text-anchor="end">now</text>
${lines}
</svg>
<div class="legend">${series.map((s, k) => html`<span><i class="sw c${s.tone}"></i>${s.name}: ${latest[k] ?? 0}</span>`)}</div></figure>`
}

/** Per-interval counts from running totals (a counter that went down — a restart — counts from zero). */
function deltas (samples: Totals[], pick: (t: Totals) => number): number[] {
  const out: number[] = []
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]
    const b = samples[i]
    if (a === undefined || b === undefined) continue
    const d = pick(b) - pick(a)
    out.push(d < 0 ? pick(b) : d)
  }
  return out
}

/** The four charts of the overview, from the sampler's ring (oldest first). */
export function overviewCharts (samples: Totals[]): Html {
  const spanMs = samples.length < 2 ? 0 : (samples.at(-1)?.at ?? 0) - (samples[0]?.at ?? 0)
  return html`<div class="charts">
${lineChart('Queue depth', [{ name: 'users waiting', values: samples.slice(1).map((s) => s.queueDepth), tone: 3 }], spanMs, 'chart-queue')}
${lineChart('Sinch calls per interval', [
    { name: 'ok', values: deltas(samples, (t) => t.sinch.ok), tone: 0 },
    { name: '429', values: deltas(samples, (t) => t.sinch.rateLimited), tone: 1 },
    { name: 'failed', values: deltas(samples, (t) => t.sinch.failed), tone: 2 }
  ], spanMs, 'chart-sinch')}
${lineChart('Sinch 429s per interval', [{ name: '429', values: deltas(samples, (t) => t.sinch.rateLimited), tone: 1 }], spanMs, 'chart-429')}
${lineChart('SCIM requests per interval', [
    { name: '2xx', values: deltas(samples, (t) => t.scim.ok), tone: 0 },
    { name: '4xx', values: deltas(samples, (t) => t.scim.clientError), tone: 1 },
    { name: '5xx', values: deltas(samples, (t) => t.scim.serverError), tone: 2 }
  ], spanMs, 'chart-scim')}
</div>`
}
