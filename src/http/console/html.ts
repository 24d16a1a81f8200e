/**
 * Auto-escaping HTML by tagged template. Every interpolated value is escaped unless it is an
 * `Html`, and an `Html` is only made by this tag (whose own values were escaped) or by `trusted`
 * (constants written in this code, never data). So a value from the IdP or from Sinch cannot
 * become markup whatever page it reaches, and the templates stay type-checked TypeScript.
 */
export class Html {
  constructor (readonly value: string) {}
  toString (): string { return this.value }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[]

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text for an element body or a double- or single-quoted attribute value. */
export function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
}

function render (v: HtmlValue): string {
  if (v instanceof Html) return v.value
  if (Array.isArray(v)) return v.map(render).join('')
  // `false`, null and undefined render as nothing, so `${cond && html`…`}` reads naturally.
  if (v === null || v === undefined || v === false) return ''
  return escapeHtml(String(v))
}

export function html (strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? ''
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '')
  return new Html(out)
}

/** Markup written in this code (a stylesheet, an icon). Never pass it a value that came from outside. */
export function trusted (markup: string): Html {
  return new Html(markup)
}

/** A path under the console with its query, each part percent-encoded (ids may hold anything). */
export function href (path: string, query: Record<string, string | undefined> = {}): string {
  const q = Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
  return q.length === 0 ? path : `${path}?${new URLSearchParams(q).toString()}`
}
