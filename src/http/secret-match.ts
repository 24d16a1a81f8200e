import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()
/** Digests of the configured secrets, computed once each (they are few and long-lived). */
const expectedDigests = new Map<string, Buffer>()

function expectedDigest (e: string): Buffer {
  let b = expectedDigests.get(e)
  if (b === undefined) {
    if (expectedDigests.size > 64) expectedDigests.clear()
    b = digest(e)
    expectedDigests.set(e, b)
  }
  return b
}

/** True when the digest `given` is one of `expected`'s, comparing every entry in constant time. */
function matchesDigest (given: Buffer, expected: readonly string[]): boolean {
  let ok = false
  for (const e of expected) ok = timingSafeEqual(given, expectedDigest(e)) || ok
  return ok
}

/**
 * True when `given` equals one of `expected`, in constant time whatever the lengths (both sides
 * are hashed first) and whichever entry matches (every entry is compared).
 */
export function matchesSecret (given: string, expected: readonly string[]): boolean {
  return matchesDigest(digest(given), expected)
}

/** Tokens that verified once, kept with their digest; a handful are in use at once (rotation overlaps). */
export const VERIFIED_TOKENS_KEPT = 16

/**
 * matchesSecret for the bearer token of every SCIM request, without hashing a token already seen
 * valid (hashing was ~4 % of a GET): the digests of tokens that verified are kept, and each request
 * still compares its digest in constant time with every token `tokens()` gives now, so a token
 * rotated in works at once and one taken out is refused at once (and forgotten). Only verified
 * tokens are kept, so wrong guesses cannot fill the cache; it is bounded, oldest out. Whether the
 * lookup hits tells a timing observer only what the answer says anyway: this exact token is valid.
 */
export function createTokenCheck (tokens: () => readonly string[], kept = VERIFIED_TOKENS_KEPT): (given: string) => boolean {
  const verified = new Map<string, Buffer>()
  return (given) => {
    const seen = verified.get(given)
    const d = seen ?? digest(given)
    const ok = matchesDigest(d, tokens())
    if (seen === undefined && ok) {
      if (verified.size >= kept) verified.delete(verified.keys().next().value as string)
      verified.set(given, d)
    } else if (seen !== undefined && !ok) {
      verified.delete(given)
    }
    return ok
  }
}
