import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino'

/** Paths pino blanks out wherever they appear: auth headers, tokens, secrets, passwords. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'accessToken',
  'access_token',
  'secret',
  'keySecret',
  'clientSecret',
  'client_secret',
  'password',
  '*.password',
  '*.token',
  '*.secret',
  '*.keySecret',
  '*.access_token',
  '*.authorization'
]

export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'sinch-scim-bridge' },
    timestamp: pino.stdTimeFunctions.isoTime
  }
}

export function createLogger (level = 'info', destination?: DestinationStream): Logger {
  return destination === undefined ? pino(loggerOptions(level)) : pino(loggerOptions(level), destination)
}

export type { Logger }
