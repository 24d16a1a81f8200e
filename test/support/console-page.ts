/** Reading the admin console's HTML in tests: visible text, a table's cells, an element's text. */

/** The visible text of an HTML fragment: tags dropped, entities decoded, whitespace folded. */
export const decode = (s: string): string => s.replace(/<[^>]*>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim()

/** The rows (cell text) of the table with this id; [] when it shows its empty note instead. */
export function rows (html: string, id: string): string[][] {
  const m = new RegExp(`<table id="${id}">[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`).exec(html)
  if (m?.[1] === undefined) {
    if (!html.includes(`<p class="empty" id="${id}">`)) throw new Error(`no table or empty note "${id}" on the page`)
    return []
  }
  return [...m[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...(r[1] ?? '').matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => decode(c[1] ?? '')))
}

/** The text of the paragraph, link or list with this id ('' when there is none). */
export const textOf = (html: string, id: string): string => decode(new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(p|a|dl)>`).exec(html)?.[1] ?? '')
