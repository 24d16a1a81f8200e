import { describe, expect, it } from 'vitest'
import { fromScimmy } from '../../../src/scim/errors.js'

describe('fromScimmy', () => {
  it('keeps SCIMMY\'s own messages, which name the attribute', () => {
    const e = fromScimmy(new TypeError("Attribute 'employeeNumber' expected value type 'string' but found type 'object'"))
    expect(e).toMatchObject({ status: 400, scimType: 'invalidValue', detail: "Attribute 'employeeNumber' expected value type 'string' but found type 'object'" })
  })

  it('replaces a runtime\'s text, also inside a SCIMMY error, by the caller\'s message for that operation', () => {
    const wrapped = Object.assign(new Error("Cannot add property schemas, object is not extensible for 'add' op of operation 2 in PatchOp request body"), { status: 400, scimType: 'invalidValue' })
    const e = fromScimmy(wrapped, 'invalidValue', (n) => `operation ${String(n)} cannot be applied`)
    expect(e).toMatchObject({ status: 400, scimType: 'invalidValue', detail: 'operation 2 cannot be applied' })
    for (const text of ['Cannot convert undefined or null to object', "Cannot read properties of undefined (reading 'x')", 'x.map is not a function', 'value is not iterable']) {
      const d = fromScimmy(new TypeError(text)).detail
      expect(d, text).not.toContain(text)
      expect(d).toBe('The value could not be applied to this resource')
    }
  })
})
