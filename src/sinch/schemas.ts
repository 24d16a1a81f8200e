import { z } from 'zod'

const RoleSchema = z.string().transform((v) => v.toUpperCase()).pipe(z.enum(['OWNER', 'ADMIN', 'MEMBER', 'READONLY']))
const StatusSchema = z.string().transform((v) => v.toUpperCase()).pipe(z.enum(['PENDING', 'ACTIVE', 'SUSPENDED']))
const str = z.string().nullable().optional()

/** Lenient: snake_case or camelCase, missing optional fields; out comes one camelCase shape. */
export const SinchMemberSchema = z.object({
  user_id: str,
  userId: str,
  email: z.string(),
  display_name: str,
  displayName: str,
  role: RoleSchema,
  status: StatusSchema.optional().default('PENDING'),
  project_id: str,
  projectId: str,
  created_at: str,
  createdAt: str,
  updated_at: str,
  updatedAt: str
}).passthrough().transform((m) => ({
  userId: m.user_id ?? m.userId ?? '',
  email: m.email,
  displayName: m.display_name ?? m.displayName ?? null,
  role: m.role,
  status: m.status,
  projectId: m.project_id ?? m.projectId ?? '',
  createdAt: m.created_at ?? m.createdAt ?? null,
  updatedAt: m.updated_at ?? m.updatedAt ?? null
}))
export type SinchMember = z.output<typeof SinchMemberSchema>

export const MemberPageSchema = z.object({
  members: z.array(SinchMemberSchema).nullable().optional(),
  next_page_token: z.string().nullable().optional(),
  nextPageToken: z.string().nullable().optional(),
  total_size: z.number().optional()
}).passthrough().transform((p) => ({
  members: p.members ?? [],
  nextPageToken: (p.next_page_token ?? p.nextPageToken ?? '') === '' ? null : (p.next_page_token ?? p.nextPageToken) as string
}))

export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional().default(3600)
}).passthrough()
