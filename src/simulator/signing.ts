import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** HMAC-signed compact tokens: access tokens (JWT-shaped) and page tokens share the mechanism. */
export class Signer {
  private readonly key = randomBytes(32)

  sign (payload: Record<string, unknown>): string {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
    return `${header}.${body}.${this.mac(`${header}.${body}`)}`
  }

  /** The payload if the signature holds, else null (tampered or foreign). */
  verify (token: string): Record<string, unknown> | null {
    const parts = token.split('.')
    if (parts.length !== 3) return null
    const [header, body, sig] = parts as [string, string, string]
    const expected = Buffer.from(this.mac(`${header}.${body}`))
    const given = Buffer.from(sig)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null
    try {
      const payload: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
      return typeof payload === 'object' && payload !== null ? payload as Record<string, unknown> : null
    } catch {
      return null
    }
  }

  private mac (data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url')
  }
}
