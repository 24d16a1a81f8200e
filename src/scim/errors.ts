/** RFC 7644 §3.12 scimType values the bridge uses. */
export type ScimType = 'invalidSyntax' | 'invalidFilter' | 'invalidValue' | 'invalidPath' | 'noTarget' | 'mutability' | 'uniqueness' | 'tooMany' | 'invalidVers' | 'sensitive'

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'

/** The one error type the HTTP layer renders; every other error becomes a generic 500. */
export class ScimError extends Error {
  readonly code = 'SCIM_ERROR'
  constructor (readonly status: number, readonly scimType: ScimType | null, readonly detail: string, options?: { cause?: unknown }) {
    super(detail, options)
  }

  body (): Record<string, unknown> {
    return { schemas: [ERROR_SCHEMA], status: String(this.status), ...(this.scimType === null ? {} : { scimType: this.scimType }), detail: this.detail }
  }
}

export const badRequest = (scimType: ScimType, detail: string, cause?: unknown): ScimError => new ScimError(400, scimType, detail, { cause })
export const notFound = (what: string, id: string): ScimError => new ScimError(404, null, `${what} ${id} not found`)
export const preconditionFailed = (): ScimError => new ScimError(412, null, 'The resource has changed: its version does not match If-Match')

/**
 * Texts the JavaScript runtime writes (V8's TypeError and SyntaxError messages), which SCIMMY passes
 * on, sometimes inside its own SCIMError ("… object is not extensible for 'add' op of operation 1
 * in PatchOp request body"). They say nothing to an IdP's admin and describe our internals.
 */
const RUNTIME_TEXT = /Cannot (add|read|set|convert|assign|define|delete|redefine|create|use|access) |is not (extensible|a function|iterable|a constructor|defined)|Converting circular|Invalid array length|Maximum call stack|Unexpected token .* in JSON|Unexpected end of JSON|is not valid JSON|Reduce of empty/

export const isRuntimeText = (message: string): boolean => RUNTIME_TEXT.test(message)

/** SCIMMY names the PatchOp operation it was applying: "for 'add' op of operation 2 in PatchOp". */
const OPERATION = /op of operation (\d+) in PatchOp/

/**
 * SCIMMY throws its own SCIMError (status, scimType) or a TypeError for values of the wrong shape;
 * its own messages name the attribute and are kept. A runtime's text becomes `stable(n)`, a
 * message of the caller's naming the operation (n: SCIMMY's 1-based operation number, if any).
 */
export function fromScimmy (err: unknown, fallback: ScimType = 'invalidValue', stable: (operation: number | null) => string = () => 'The value could not be applied to this resource'): ScimError {
  if (err instanceof ScimError) return err
  const e = err as { status?: number, scimType?: string, message?: string }
  const message = typeof e?.message === 'string' ? e.message : 'invalid request'
  const detail = (): string => {
    if (!RUNTIME_TEXT.test(message)) return message
    const n = OPERATION.exec(message)?.[1]
    return stable(n === undefined ? null : Number(n))
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new ScimError(e.status, (e.scimType as ScimType | undefined) ?? null, detail(), { cause: err })
  }
  if (err instanceof TypeError || err instanceof SyntaxError) return badRequest(fallback, detail(), err)
  throw err
}
