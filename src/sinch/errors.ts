export type SinchErrorCode =
  | 'SINCH_PERMANENT' | 'SINCH_TRANSIENT' | 'SINCH_AUTH' | 'SINCH_NOT_FOUND' | 'SINCH_CONFLICT'
  /** Neither API style answered the member listing (wrong project id or region, or no member API). */
  | 'SINCH_STYLE_UNKNOWN'
  /** A listing that would not end: a repeated page token, a repeated page, or past the page cap. */
  | 'SINCH_LISTING_RUNAWAY'
export type SinchOperation = 'token' | 'list' | 'invite' | 'update' | 'remove' | 'access-keys'

export interface FieldViolation { field: string, description: string }

/**
 * One error type for every Sinch failure; `code` is stable, `kind` tells retry logic what to do
 * (NOT_FOUND and CONFLICT are permanent: repeating the same call gives the same answer). Messages
 * never carry the token, the key secret or an Authorization header.
 */
export interface SinchErrorOptions {
  code: SinchErrorCode
  message: string
  operation: SinchOperation
  /** The HTTP status of the answer; null when none came (timeout, connection error, closed client). */
  status: number | null
  fieldViolations?: FieldViolation[]
  projectId?: string | undefined
  cause?: unknown
}

export class SinchError extends Error {
  override readonly name = 'SinchError'
  readonly kind: 'permanent' | 'transient' | 'auth'
  readonly code: SinchErrorCode
  readonly operation: SinchOperation
  readonly status: number | null
  readonly fieldViolations: FieldViolation[]
  readonly projectId?: string
  constructor (o: SinchErrorOptions) {
    super(o.message, o.cause === undefined ? undefined : { cause: o.cause })
    this.code = o.code
    this.operation = o.operation
    this.status = o.status
    this.fieldViolations = o.fieldViolations ?? []
    if (o.projectId !== undefined) this.projectId = o.projectId
    this.kind = o.code === 'SINCH_TRANSIENT' ? 'transient' : o.code === 'SINCH_AUTH' ? 'auth' : 'permanent'
  }
}

/** The error code for a final HTTP status that is neither success nor retryable. */
export function codeForStatus (status: number): SinchErrorCode {
  if (status === 401) return 'SINCH_AUTH'
  if (status === 404) return 'SINCH_NOT_FOUND'
  if (status === 409) return 'SINCH_CONFLICT'
  return 'SINCH_PERMANENT'
}

/** Blanks every occurrence of the given secrets (tokens, key secret) in text bound for a message. */
export function scrub (text: string, secrets: ReadonlyArray<string | null>): string {
  let out = text
  for (const s of secrets) if (s !== null && s.length >= 4) out = out.split(s).join('[redacted]')
  return out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]')
}

export interface ParsedErrorBody {
  message: string | null
  status: string | null
  fieldViolations: FieldViolation[]
  resourceName: string | null
}

/** Reads every error shape Sinch and its gateways send: Google style, Problem+JSON, text, empty. */
export function parseErrorBody (text: string): ParsedErrorBody {
  const out: ParsedErrorBody = { message: null, status: null, fieldViolations: [], resourceName: null }
  if (text.trim() === '') return out
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    out.message = text.trim().slice(0, 300)
    return out
  }
  if (typeof json !== 'object' || json === null) return out
  const j = json as Record<string, unknown>
  const err = (typeof j.error === 'object' && j.error !== null ? j.error : null) as Record<string, unknown> | null
  if (err !== null) {
    out.message = typeof err.message === 'string' ? err.message : null
    out.status = typeof err.status === 'string' ? err.status : null
    for (const d of Array.isArray(err.details) ? err.details as Array<Record<string, unknown>> : []) {
      if (typeof d.resourceName === 'string') out.resourceName = d.resourceName
      for (const v of Array.isArray(d.fieldViolations) ? d.fieldViolations as Array<Record<string, unknown>> : []) {
        out.fieldViolations.push({ field: String(v.field ?? ''), description: String(v.description ?? '') })
      }
    }
    return out
  }
  // Problem+JSON (RFC 9457 §3) carries field problems as extension members; read the common ones.
  for (const v of [j['invalid-params'], j.invalidParams, j.errors, j.fieldViolations].flatMap((x) => Array.isArray(x) ? x as Array<Record<string, unknown>> : [])) {
    if (typeof v !== 'object' || v === null) continue
    out.fieldViolations.push({ field: String(v.field ?? v.name ?? v.pointer ?? ''), description: String(v.description ?? v.reason ?? v.detail ?? v.message ?? '') })
  }
  out.message = typeof j.detail === 'string' ? j.detail : typeof j.title === 'string' ? j.title : typeof j.error_description === 'string' ? j.error_description : typeof j.message === 'string' ? j.message : null
  out.status = typeof j.title === 'string' ? j.title : typeof j.error === 'string' ? j.error : null
  return out
}
