import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { bearerOf, matchesSecret } from '../ops-routes.js'

/** Who opened the console: SCIM tokens read, ADMIN_TOKEN reads and acts. */
export type Viewer = { role: 'reader' } | { role: 'admin', label: string }

export interface ConsoleTokens {
  /** SCIM tokens: read-only here. */
  readers: () => string[]
  /** ADMIN_TOKEN, or undefined: then no one may act. */
  admin: () => string | undefined
}

/** The label admins are named by in the audit log (there is one ADMIN_TOKEN). */
export const ADMIN_LABEL = 'admin'

function givenToken (req: FastifyRequest): string | null {
  const bearer = bearerOf(req)
  if (bearer !== null) return bearer
  const h = req.headers.authorization
  if (typeof h !== 'string' || !/^Basic\s+/i.test(h)) return null
  // Browsers speak Basic: any user name, the token as the password.
  const decoded = Buffer.from(h.replace(/^Basic\s+/i, ''), 'base64').toString('utf8')
  const password = decoded.slice(decoded.indexOf(':') + 1)
  return password.length === 0 ? null : password
}

export function viewerOf (req: FastifyRequest, tokens: ConsoleTokens): Viewer | null {
  const given = givenToken(req)
  if (given === null) return null
  const admin = tokens.admin()
  if (admin !== undefined && matchesSecret(given, [admin])) return { role: 'admin', label: ADMIN_LABEL }
  return matchesSecret(given, tokens.readers()) ? { role: 'reader' } : null
}

/**
 * No script at all (the console works without JavaScript), styles from our own stylesheet only,
 * never framed (clickjacking on the action buttons), forms post only to us.
 */
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

export function hardeningHeaders (reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    // Authenticated pages hold who has access to what: no shared or browser cache keeps them.
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
}

const CSRF_TTL_MS = 2 * 60 * 60 * 1000

/**
 * CSRF tokens for the action forms. Browsers resend Basic credentials to a cross-site POST, so
 * each form carries a token a foreign page cannot know: an HMAC keyed by ADMIN_TOKEN (the same on
 * every replica, so a form served by one may be posted to another) over its issue time and a
 * nonce. A nonce is accepted once per process: a double submit is recognised, not acted twice.
 */
export function createCsrf (key: () => string | undefined, now: () => number = Date.now) {
  const used = new Map<string, number>()
  const mac = (k: string, body: string): Buffer => createHmac('sha256', k).update(`console-csrf|${body}`).digest()

  function forget (t: number): void {
    for (const [nonce, at] of used) if (t - at > CSRF_TTL_MS) used.delete(nonce)
  }

  return {
    issue (): string | null {
      const k = key()
      if (k === undefined) return null
      const body = `${now()}.${randomBytes(12).toString('base64url')}`
      return `${body}.${mac(k, body).toString('base64url')}`
    },
    /** 'ok' the first time, 'repeat' for a token already used, 'invalid' for anything forged or old. */
    check (token: string): 'ok' | 'repeat' | 'invalid' {
      const k = key()
      const parts = token.split('.')
      if (k === undefined || parts.length !== 3) return 'invalid'
      const [issued, nonce, sig] = parts as [string, string, string]
      const expected = mac(k, `${issued}.${nonce}`)
      const given = Buffer.from(sig, 'base64url')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid'
      const t = now()
      const age = t - Number(issued)
      if (!Number.isFinite(age) || age < 0 || age > CSRF_TTL_MS) return 'invalid'
      forget(t)
      if (used.has(nonce)) return 'repeat'
      used.set(nonce, t)
      return 'ok'
    }
  }
}

export type Csrf = ReturnType<typeof createCsrf>

/** A browser says where a request comes from; a cross-site POST is refused before its token is read. */
export function crossSite (req: FastifyRequest): boolean {
  return req.headers['sec-fetch-site'] === 'cross-site'
}
