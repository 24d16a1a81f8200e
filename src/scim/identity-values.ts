import validator from 'validator'
import type { EmailValue } from '../domain/users.js'
import { badRequest } from './errors.js'

/**
 * The bridge invites people into Sinch by email, so the values that identify someone — userName
 * and every emails[].value — are checked where they enter, before anything is stored: an error the
 * IdP shows its admin now, instead of a change that fails (or loops) later.
 */

// With the u flag a surrogate matches only when unpaired: text that is not well-formed Unicode
// (a lone \ud800 comes back from SQLite or Sinch as U+FFFD and never matches again).
const LONE_SURROGATE = /[\uD800-\uDFFF]/u
// C0 and C1 controls, NUL and DEL included (Unicode general category Cc).
const CONTROL = /\p{Cc}/u
// Embeddings, overrides and isolates (Unicode TR9 §2): they make an address read as another.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u

const shown = (v: string): string => JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v)

function checkText (what: string, v: string): void {
  if (LONE_SURROGATE.test(v)) throw badRequest('invalidValue', `${what} is not well-formed Unicode (an unpaired surrogate)`)
  if (CONTROL.test(v)) throw badRequest('invalidValue', `${what} contains a control character`)
  if (BIDI_CONTROL.test(v)) throw badRequest('invalidValue', `${what} contains a bidirectional override or isolate character`)
}

/**
 * validator's isEmail (RFC 5321/5322 syntax, no DNS): plus-addressing, subdomains, internationalised
 * local parts and domains (RFC 6531/6532) and quoted local parts pass; "x@", "a@@b" and a domain
 * without a dot do not.
 */
const { isEmail } = validator
const EMAIL_OPTIONS = { allow_utf8_local_part: true, require_tld: true, allow_ip_domain: false, allow_display_name: false }

export function checkIdentityValues (userName: string, emails: EmailValue[]): void {
  checkText('userName', userName)
  emails.forEach((e, i) => {
    const what = `emails[${i}].value`
    checkText(what, e.value)
    if (!isEmail(e.value.trim(), EMAIL_OPTIONS)) throw badRequest('invalidValue', `${what} ${shown(e.value)} is not a valid email address`)
  })
  // Without an email the invitation goes to a userName that looks like an address (DESIGN.md).
  if (emails.length === 0 && userName.includes('@') && !isEmail(userName.trim(), EMAIL_OPTIONS)) {
    throw badRequest('invalidValue', `userName ${shown(userName)} would be the email address to invite (the user has no emails) and is not a valid one`)
  }
}
