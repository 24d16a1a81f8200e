import { randomBytes } from 'node:crypto'
import { badRequest } from './errors.js'

/** A JSON string literal (RFC 8259 §7): quotes, with backslash escapes inside. */
const STRING = /"(?:[^"\\]|\\.)*"/g

export interface Literals { text: string, count: number, restore: (parsed: unknown) => unknown }

/**
 * RFC 7644 §3.4.2.2 takes compValue strings from JSON: `"\u0041"` is "A" and `"a\"b"` holds a
 * quote. SCIMMY 1.3 keeps escapes as written and stops at an escaped quote, so each literal is
 * decoded here and SCIMMY parses the filter with a plain placeholder in its place; `restore` puts
 * the decoded strings back into the parsed expression. With a fixed `nonce`, filters that differ
 * only in their strings give the same placeholder text (filter.ts parses each such shape once).
 */
export function extractLiterals (text: string, nonce: string = randomBytes(6).toString('hex')): Literals {
  const values = new Map<string, string>()
  const replaced = text.replace(STRING, (literal) => {
    let decoded: unknown
    try {
      decoded = JSON.parse(literal)
    } catch {
      throw badRequest('invalidFilter', `Invalid filter: ${literal.length > 60 ? `${literal.slice(0, 60)}…` : literal} is not a valid JSON string`)
    }
    // An escaped NUL (`\u0000`) matches nothing a client stored (userName and emails refuse
    // control characters) and PostgreSQL text cannot hold it: refused on both engines alike.
    if ((decoded as string).includes('\u0000')) throw badRequest('invalidFilter', 'Invalid filter: a string value may not contain NUL')
    const key = `s${nonce}n${values.size}`
    values.set(key, decoded as string)
    return `"${key}"`
  })
  const restore = (node: unknown): unknown => {
    if (typeof node === 'string') return values.get(node) ?? node
    if (Array.isArray(node)) return node.map(restore)
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, restore(v)]))
    return node
  }
  return { text: replaced, count: values.size, restore }
}
