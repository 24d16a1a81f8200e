// eslint-disable-next-line no-control-regex -- every ASCII code unit, controls included
const ASCII = /^[\x00-\x7f]*$/
/** A UTF-16 surrogate without its partner: not a character, and not storable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * The one normal form in which the bridge compares email addresses: known-member keys, the
 * planner, the reconciler's matching and the audit all go through it, so two spellings of one
 * address can never look like two members (an invite-and-remove loop).
 * - Lone surrogates become U+FFFD, as SQLite, PostgreSQL and any UTF-8 API return them.
 * - Surrounding white space is not part of an address.
 * - Lower case: Sinch compares emails case-insensitively (shared/sinch-api.md).
 * - NFC (Unicode normalisation form C), after lower-casing because lower-casing can leave a
 *   string unnormalised: "é" typed as e + U+0301 and as U+00E9 is one address (RFC 6531 §3.3
 *   and RFC 8265 prefer NFC for internationalised identifiers).
 */
export function addressKey (email: string): string {
  // ASCII holds no surrogate and is its own NFC: most addresses need only the trim and the case.
  if (ASCII.test(email)) return email.trim().toLowerCase()
  return email.replace(LONE_SURROGATE, '\uFFFD').trim().toLowerCase().normalize('NFC')
}
