import { describe, expect, it } from 'vitest'
import { ScimError } from '../../../src/scim/errors.js'
import { parseFilter, toWhere } from '../../../src/scim/filter.js'

describe('filter values with U+0000', () => {
  // The HTTP edge refuses NUL in URLs and bodies; this is the check behind it, for a value that
  // reaches the filter by another way (SCIMMY decoding an escape, a caller in-process).
  it('an indexed comparison whose value holds NUL is 400 invalidFilter (PostgreSQL text cannot hold it)', () => {
    for (const f of ['userName eq "a\u0000b"', 'emails.value co "\u0000"', 'displayName sw "x\u0000"', 'externalId ne "\u0000"']) {
      let err: unknown = null
      try { toWhere(parseFilter(f), 'user') } catch (e) { err = e }
      expect(err, f).toBeInstanceOf(ScimError)
      expect((err as ScimError).status, f).toBe(400)
      expect((err as ScimError).scimType, f).toBe('invalidFilter')
    }
  })

  it('the same filters without NUL are answered by an index', () => {
    expect(toWhere(parseFilter('userName eq "ab"'), 'user')).not.toBeNull()
  })
})
