import { z } from 'zod'
import { idFromResourceName } from './api-style.js'
import { DEFAULT_VOCABULARY, type SinchRole, type SinchStatus, type Vocabulary } from './vocabulary.js'

const str = z.string().nullable().optional()

/**
 * Lenient: snake_case (guide) or camelCase (v1: `createTime`/`updateTime`, as the Access Keys API
 * names them), missing optional fields, a resource `name` instead of an id. Role and status are
 * kept as sent; the vocabulary reads them, so an unknown name never fails the page it came in.
 */
export const RawMemberSchema = z.object({
  user_id: str,
  userId: str,
  name: str,
  email: z.string(),
  display_name: str,
  displayName: str,
  role: z.string(),
  status: str,
  project_id: str,
  projectId: str,
  created_at: str,
  createdAt: str,
  createTime: str,
  updated_at: str,
  updatedAt: str,
  updateTime: str
}).passthrough()
export type RawMember = z.infer<typeof RawMemberSchema>

export interface SinchMember {
  userId: string
  email: string
  displayName: string | null
  role: SinchRole
  status: SinchStatus
  projectId: string
  createdAt: string | null
  updatedAt: string | null
  /** The role name as Sinch spelled it, kept when the vocabulary does not know it. */
  rawRole?: string
}

export function toMember (m: RawMember, vocab: Vocabulary = DEFAULT_VOCABULARY): SinchMember {
  const role = vocab.role(m.role)
  return {
    userId: m.user_id ?? m.userId ?? idFromResourceName(m.name) ?? '',
    email: m.email,
    displayName: m.display_name ?? m.displayName ?? null,
    role,
    status: vocab.status(m.status),
    projectId: m.project_id ?? m.projectId ?? '',
    createdAt: m.created_at ?? m.createdAt ?? m.createTime ?? null,
    updatedAt: m.updated_at ?? m.updatedAt ?? m.updateTime ?? null,
    ...(role === 'UNKNOWN' ? { rawRole: m.role } : {})
  }
}

/** RawMemberSchema read with the guide's names (OWNER, ADMIN, MEMBER, READONLY). */
export const SinchMemberSchema = RawMemberSchema.transform((m) => toMember(m))

export const MemberPageSchema = z.object({
  members: z.array(RawMemberSchema).nullable().optional(),
  next_page_token: z.string().nullable().optional(),
  nextPageToken: z.string().nullable().optional(),
  total_size: z.number().optional(),
  totalSize: z.number().optional()
}).passthrough().transform((p) => ({
  members: p.members ?? [],
  nextPageToken: (p.next_page_token ?? p.nextPageToken ?? '') === '' ? null : (p.next_page_token ?? p.nextPageToken) as string
}))

export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional().default(3600)
}).passthrough()
