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
export const conflict = (detail: string): ScimError => new ScimError(409, 'uniqueness', detail)
export const preconditionFailed = (): ScimError => new ScimError(412, null, 'The resource has changed: its version does not match If-Match')

/** SCIMMY throws its own SCIMError (status, scimType) or a TypeError for values of the wrong shape. */
export function fromScimmy (err: unknown, fallback: ScimType = 'invalidValue'): ScimError {
  if (err instanceof ScimError) return err
  const e = err as { status?: number, scimType?: string, message?: string }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new ScimError(e.status, (e.scimType as ScimType | undefined) ?? null, e.message ?? 'invalid request', { cause: err })
  }
  if (err instanceof TypeError || err instanceof SyntaxError) return badRequest(fallback, err.message, err)
  throw err
}
