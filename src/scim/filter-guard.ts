import { badRequest } from './errors.js'

/** At most this many `and`/`or`: SCIMMY expands a filter into OR-of-ANDs, which grows as 2^n. */
export const MAX_LOGICAL_OPERATORS = 20
/** At most this many OR branches after expansion (each becomes a SQL clause). */
export const MAX_BRANCHES = 64

type Token = '(' | ')' | '[' | ']' | 'and' | 'or' | 'not' | 'other'

/** Brackets and logical words outside quoted strings; everything else is 'other'. */
function tokens (text: string): Token[] {
  const out: Token[] = []
  const re = /"(?:[^"\\]|\\.)*"|[()[\]]|[^\s()[\]"]+/g
  for (const m of text.matchAll(re)) {
    const t = m[0]
    if (t.startsWith('"')) out.push('other')
    else if (t === '(' || t === ')' || t === '[' || t === ']') out.push(t)
    else {
      const w = t.toLowerCase()
      out.push(w === 'and' || w === 'or' || w === 'not' ? w : 'other')
    }
  }
  return out
}

/**
 * Refuses, before SCIMMY parses it, what SCIMMY 1.3 would parse wrongly or too slowly, so the
 * IdP gets a 400 instead of a wrong answer (RFC 7644 §3.4.2.2). SCIMMY distributes `not` over a
 * group without De Morgan (`not (a or b)` is read as `not a or not b`), drops a `not (…)` that
 * follows a parenthesised group, ignores `not` around a value path, accepts a dangling operator,
 * and expands nested groups exponentially. Okta and Entra send none of these; a plain
 * `not (attr op value)` in an otherwise unparenthesised filter is parsed correctly and allowed.
 */
export function guardFilter (text: string): void {
  const ts = tokens(text)
  const logical = ts.filter((t) => t === 'and' || t === 'or').length
  if (logical > MAX_LOGICAL_OPERATORS) throw badRequest('invalidFilter', `The filter is too complex: at most ${MAX_LOGICAL_OPERATORS} and/or operators`)
  const last = ts[ts.length - 1]
  if (last === 'and' || last === 'or' || last === 'not') throw badRequest('invalidFilter', `Invalid filter: it ends with "${last}"`)
  if (!ts.includes('not')) return
  let groups = 0
  for (let i = 0; i < ts.length; i++) {
    if (ts[i] === '(' && ts[i - 1] !== 'not') groups++
    if (ts[i] !== 'not') continue
    if (ts[i + 1] !== '(') throw badRequest('invalidFilter', 'Invalid filter: "not" must be followed by a parenthesised expression')
    const close = ts.indexOf(')', i + 2)
    const inner = ts.slice(i + 2, close === -1 ? ts.length : close)
    if (close === -1 || inner.some((t) => t !== 'other')) throw badRequest('invalidFilter', 'Unsupported filter: "not" may only negate a single comparison, e.g. not (title eq "x")')
  }
  if (groups > 0) throw badRequest('invalidFilter', 'Unsupported filter: "not" cannot be combined with other parenthesised groups')
}

/** After parsing: the number of OR branches SCIMMY produced. */
export function guardBranches (branches: number): void {
  if (branches > MAX_BRANCHES) throw badRequest('invalidFilter', `The filter is too complex: it expands to more than ${MAX_BRANCHES} alternatives`)
}
