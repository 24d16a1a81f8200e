import type { FastifyInstance } from 'fastify'
import { ScimError } from '../scim/errors.js'

/** Iterative, like the depth check, so a deep body cannot overflow the stack here either. */
export function containsNul (value: unknown): boolean {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === 'string') { if (v.includes('\u0000')) return true; continue }
    if (typeof v !== 'object' || v === null) continue
    for (const [k, child] of Object.entries(v)) {
      if (k.includes('\u0000')) return true
      stack.push(child)
    }
  }
  return false
}

/**
 * U+0000 is refused in the URL and in bodies, before anything reaches the store: PostgreSQL text
 * cannot hold it ("the character with code zero cannot be stored", PostgreSQL manual §8.3) while
 * SQLite can, so without this the same request succeeded on one engine and failed with a 500 on
 * the other. No SCIM attribute has a use for it. Runs after authentication (onRequest) and body
 * parsing, so an anonymous client still gets 401.
 */
export function registerNulGuard (app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    // %00 is the only spelling of NUL a URL can carry: overlong UTF-8 does not decode, and a raw
    // NUL byte is refused by Node's HTTP parser.
    if (/%00/.test(req.url)) throw new ScimError(400, 'invalidValue', 'The URL may not contain the NUL character (%00)')
    if (containsNul(req.body)) throw new ScimError(400, 'invalidValue', 'Text may not contain a control character: NUL (U+0000) was sent')
  })
}
