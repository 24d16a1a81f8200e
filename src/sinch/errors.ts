export type SinchErrorCode = 'SINCH_PERMANENT' | 'SINCH_TRANSIENT' | 'SINCH_AUTH' | 'SINCH_NOT_FOUND' | 'SINCH_CONFLICT'
export type SinchOperation = 'token' | 'list' | 'invite' | 'update' | 'remove' | 'access-keys'

export interface FieldViolation { field: string, description: string }

/** One error type for every Sinch failure; `code` is stable, `kind` tells retry logic what to do. */
export class SinchError extends Error {
  override readonly name = 'SinchError'
  readonly kind: 'permanent' | 'transient' | 'auth'
  constructor (
    readonly code: SinchErrorCode,
    message: string,
    readonly operation: SinchOperation,
    readonly status: number | null,
    readonly fieldViolations: FieldViolation[] = [],
    readonly projectId?: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.kind = code === 'SINCH_TRANSIENT' ? 'transient' : code === 'SINCH_AUTH' ? 'auth' : 'permanent'
  }
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
  out.message = typeof j.detail === 'string' ? j.detail : typeof j.title === 'string' ? j.title : typeof j.error_description === 'string' ? j.error_description : typeof j.message === 'string' ? j.message : null
  out.status = typeof j.title === 'string' ? j.title : typeof j.error === 'string' ? j.error : null
  return out
}
