import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { RoleSchema } from '../config/schema.js'

const GrantSchema = z.object({
  project: z.string().min(1),
  role: z.string().trim().toUpperCase().pipe(RoleSchema)
}).strict()

const GrantsSchema = z.record(z.string().min(1), z.array(GrantSchema))

/**
 * `{ "groups": { "<group displayName or externalId>": [{ "project": "p1", "role": "ADMIN" }] } }`.
 * The bare map (without "groups") is accepted too, so a one-line mapping stays one line.
 */
export const MappingFileSchema = z.object({
  groups: GrantsSchema,
  /** Optional: the roles an IdP may assign directly (role-catalogue.ts); absent = every grantable role. */
  roles: z.array(GrantSchema).optional()
}).strict()

export type Grant = z.infer<typeof GrantSchema>
/** Keys are lower-cased: group names compare case-insensitively, like SCIM's displayName. */
export type GroupMapping = Map<string, Grant[]>

export class MappingFileError extends Error {
  readonly code = 'MAPPING_FILE_INVALID'
  constructor (readonly problems: string[], options?: { cause?: unknown }) {
    super(`invalid mapping file:\n${problems.map((p) => `  ${p}`).join('\n')}`, options)
  }
}

/** Parses a mapping document; every problem names the key it is about. */
export function parseMapping (text: string, format: 'json' | 'yaml', managedProjects: string[]): GroupMapping {
  return parseMappingDocument(text, format, managedProjects).groups
}

export interface MappingDocument { groups: GroupMapping, roles: Grant[] | null }

export function parseMappingDocument (text: string, format: 'json' | 'yaml', managedProjects: string[]): MappingDocument {
  let doc: unknown
  try {
    doc = format === 'json' ? JSON.parse(text) : parseYaml(text)
  } catch (err) {
    throw new MappingFileError([`not valid ${format.toUpperCase()}: ${(err as Error).message}`], { cause: err })
  }
  const wrapped = typeof doc === 'object' && doc !== null && ('groups' in doc || 'roles' in doc) ? { groups: {}, ...doc } : { groups: doc }
  const parsed = MappingFileSchema.safeParse(wrapped)
  if (!parsed.success) {
    throw new MappingFileError(parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`))
  }
  const grants = parsed.data.groups
  const problems: string[] = []
  const mapping: GroupMapping = new Map()
  for (const [group, list] of Object.entries(grants)) {
    list.forEach((g, i) => {
      if (!managedProjects.includes(g.project)) problems.push(`groups.${group}.${i}.project: "${g.project}" is not a managed project (SINCH_PROJECT_IDS)`)
    })
    const key = group.toLowerCase()
    mapping.set(key, [...(mapping.get(key) ?? []), ...list])
  }
  const roles = parsed.data.roles ?? null
  roles?.forEach((g, i) => {
    if (!managedProjects.includes(g.project)) problems.push(`roles.${i}.project: "${g.project}" is not a managed project (SINCH_PROJECT_IDS)`)
  })
  if (problems.length > 0) throw new MappingFileError(problems)
  return { groups: mapping, roles }
}

export function loadMappingFile (path: string, managedProjects: string[]): GroupMapping {
  return loadMappingDocument(path, managedProjects).groups
}

export function loadMappingDocument (path: string, managedProjects: string[]): MappingDocument {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new MappingFileError([`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`], { cause: err })
  }
  const format = extname(path).toLowerCase() === '.json' ? 'json' : 'yaml'
  return parseMappingDocument(text, format, managedProjects)
}
