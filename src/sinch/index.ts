export { createSinchClient, type SinchClient, type SinchClientOptions } from './client.js'
export { SinchError, type SinchErrorCode, type FieldViolation } from './errors.js'
export { SinchMemberSchema, type SinchMember } from './schemas.js'
export type { CallEvent } from './transport.js'
