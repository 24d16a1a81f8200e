import { z } from 'zod'

/**
 * How the simulated Sinch may keep an invited address in its own spelling. Sinch does not
 * document whether it normalises addresses, so the bridge must cope either way:
 * `nfc` stores Unicode NFC, `lowercase` lower-cases the whole address, `strip-plus-tag` drops a
 * `+tag` from the local part (as some mail providers treat it).
 */
export const InviteRewriteSchema = z.enum(['none', 'nfc', 'lowercase', 'strip-plus-tag'])
export type InviteRewrite = z.infer<typeof InviteRewriteSchema>

/** An address Sinch refuses on invite (400 invalid email), optionally in some projects only. */
export const RefusedInviteSchema = z.object({ email: z.string().min(1), projectId: z.string().min(1).optional() }).strict()
export type RefusedInvite = z.infer<typeof RefusedInviteSchema>

export function rewriteInviteEmail (email: string, style: InviteRewrite): string {
  switch (style) {
    case 'none': return email
    case 'nfc': return email.normalize('NFC')
    case 'lowercase': return email.toLowerCase()
    case 'strip-plus-tag': return email.replace(/\+[^@]*@/, '@')
  }
}

export function refusesInvite (refused: readonly RefusedInvite[], projectId: string, email: string): boolean {
  const e = email.toLowerCase()
  return refused.some((r) => r.email.toLowerCase() === e && (r.projectId === undefined || r.projectId === projectId))
}
