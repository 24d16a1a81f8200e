import { html, trusted, type Html, type HtmlValue } from './html.js'
import type { PageContext } from './deps.js'

export const BASE = '/status'

/** Served as /status/console.css: the CSP allows styles from the bridge itself, never inline. */
export const STYLESHEET = `:root{--fg:#1d1d1f;--muted:#6e6e73;--line:#e3e3e8;--bg:#f5f5f7;--ok:#137333;--warn:#a05a00;--bad:#b3261e;--accent:#0b57d0}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--fg);background:#fff}
header{display:flex;gap:1.5rem;align-items:center;padding:.8rem 2rem;border-bottom:1px solid var(--line);background:var(--bg)}
header .brand{font-weight:600}nav a{margin-right:1rem;color:var(--accent);text-decoration:none}nav a[aria-current]{font-weight:600;color:var(--fg)}
main{padding:1rem 2rem 3rem;max-width:1200px}h1{font-size:1.35rem;margin:.6rem 0 1rem}h2{font-size:1.05rem;margin:1.8rem 0 .5rem}
.banner{background:#fff4ce;padding:.6rem 1rem;border-radius:6px;margin:.5rem 0}.notice{background:#e6f4ea;padding:.6rem 1rem;border-radius:6px}
.alert{padding:.7rem 1rem;border-radius:6px;margin:.5rem 0 1rem;border-left:6px solid}.alert.bad{background:#fce8e6;border-color:var(--bad);color:#5c0f0a}.alert.warn{background:#fef3d6;border-color:var(--warn);color:#4a2a00}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:.8rem}
.card{display:block;border:1px solid var(--line);border-radius:10px;padding:.8rem 1rem;color:inherit;text-decoration:none;background:#fff}
.card:hover{border-color:var(--accent)}.card .label{color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:1.5rem;font-weight:600;margin:.2rem 0}.card .sub{color:var(--muted);font-size:.85rem}
.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}.muted{color:var(--muted)}.small{font-size:.82rem}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:.8rem}
figure{margin:0;border:1px solid var(--line);border-radius:10px;padding:.6rem .8rem}figcaption{font-weight:600;margin-bottom:.3rem}
svg text{font:11px system-ui,sans-serif;fill:#6e6e73}.legend span{margin-right:.8rem;font-size:.82rem}.sw{display:inline-block;width:.7rem;height:.7rem;border-radius:2px;margin-right:.25rem;vertical-align:-1px}
.grid{stroke:#e3e3e8}.axis{stroke:#c7c7cc}polyline{fill:none;stroke-width:1.6}.s0{stroke:#137333}.s1{stroke:#a05a00}.s2{stroke:#b3261e}.s3{stroke:#0b57d0}
.st-pending{color:#a05a00}.st-active{color:#137333}.st-suspended{color:#b3261e}.st-unknown{color:#6b21a8}
.c0{background:#137333}.c1{background:#a05a00}.c2{background:#b3261e}.c3{background:#0b57d0}
table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}td .id{display:block;color:var(--muted);font-size:.78rem;font-family:ui-monospace,monospace}
.empty{color:var(--muted)}form.inline{display:inline;margin:0}form.search{margin:.5rem 0 1rem}input[type=search]{padding:.35rem;width:22rem;max-width:100%}
button{padding:.3rem .8rem;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:6px;cursor:pointer}button.secondary{background:#fff;color:var(--accent)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:var(--muted)}dd{margin:0}`

/** A small mark for the tab (a browser asks for one; without it every page logs a 404). */
export const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b57d0"/><path d="M4 8.5l2.5 2.5L12 5" stroke="#fff" stroke-width="2" fill="none"/></svg>'

const NAV: Array<[string, string]> = [['overview', ''], ['people', '/people'], ['changes', '/changes'], ['reconcile', '/reconcile'], ['activity', '/activity']]

export function page (ctx: PageContext, current: string, title: string, body: Html): Html {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · sinch-scim-bridge</title><meta name="viewport" content="width=device-width"><link rel="stylesheet" href="${BASE}/console.css"><link rel="icon" href="${BASE}/favicon.svg" type="image/svg+xml"></head><body>
<header><span class="brand">sinch-scim-bridge</span><nav>${NAV.map(([name, path]) => html`<a href="${BASE}${path}"${current === name ? trusted(' aria-current="page"') : ''}>${name[0]?.toUpperCase()}${name.slice(1)}</a>`)}</nav><span class="muted small">${ctx.viewer.role === 'admin' ? `signed in as ${ctx.viewer.label}` : 'read-only (actions need ADMIN_TOKEN)'}</span></header>
<main>
${ctx.sandbox && html`<p class="banner">Sandbox mode: the bundled Sinch simulator answers; nothing is sent to Sinch.</p>`}
${ctx.notice !== null && html`<p class="notice" role="status">${ctx.notice}</p>`}
<h1>${title}</h1>
${body}
</main></body></html>`
}

/** A table, or its empty note. Cells are Html (already escaped) or plain values (escaped here). */
export function table (head: string[], rows: HtmlValue[][], empty: string, id?: string): Html {
  if (rows.length === 0) return html`<p class="empty"${id === undefined ? '' : html` id="${id}"`}>${empty}</p>`
  return html`<table${id === undefined ? '' : html` id="${id}"`}><thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table>`
}

/** "5 min ago" for a timestamp, with the exact instant kept in the title. */
export function ago (iso: string | null, now = Date.now()): Html {
  if (iso === null) return html`<span class="muted">never</span>`
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  const text = s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : s < 172_800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86_400)} days ago`
  return html`<time datetime="${iso}" title="${iso}">${text}</time>`
}

/** When a queued change is tried next: "now" once due, else "in 40 s", with the instant in the title. */
export function due (iso: string, now = Date.now()): Html {
  const s = Math.round((Date.parse(iso) - now) / 1000)
  const text = s <= 0 ? 'now' : s < 60 ? `in ${s} s` : s < 3600 ? `in ${Math.round(s / 60)} min` : `in ${Math.round(s / 3600)} h`
  return html`<time datetime="${iso}" title="${iso}">${text}</time>`
}

/** How a person is named in every row: userName and display name first, the SCIM id secondary. */
export function personCell (p: { id: string, userName: string | null, displayName: string | null }): Html {
  const name = p.userName ?? '(no longer in the directory)'
  return html`<a href="${BASE}/people/${encodeURIComponent(p.id)}">${name}</a>${p.displayName !== null && p.displayName !== '' && html` <span>${p.displayName}</span>`}<span class="id">${p.id}</span>`
}
