import { createHash, randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The tree this module was loaded from (dist/, or src/ under the tests) and the package around it. */
const CODE_ROOT = fileURLToPath(new URL('..', import.meta.url))
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url))

let digest: { value: string, problem: string | null } | null = null

/** digestTree of the running code, once per process (about 2 MB of dist/ read at start-up). */
export function codeDigest (): string {
  digest ??= digestOrRandom(CODE_ROOT, PACKAGE_ROOT)
  return digest.value
}

/** Why the running code could not be digested (its documents then last as long as the process), or null. */
export function codeDigestProblem (): string | null {
  codeDigest()
  return digest?.problem ?? null
}

/**
 * digestTree, or a random value where the tree cannot be read (a file the process may not read):
 * the bridge still starts, and its documents last as long as the process.
 */
export function digestOrRandom (root: string, packageRoot: string): { value: string, problem: string | null } {
  try {
    return { value: digestTree(root, packageRoot), problem: null }
  } catch (err) {
    return { value: `unreadable:${randomUUID()}`, problem: (err as Error).message }
  }
}

/**
 * A digest of every file under `root` (paths and contents) and of the package manifest and lock
 * in `packageRoot`: any change of the code that renders, or of the libraries it was installed
 * with, changes it.
 */
export function digestTree (root: string, packageRoot: string): string {
  const hash = createHash('sha256')
  for (const f of walk(root).sort()) hash.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0')
  for (const name of ['package.json', 'package-lock.json']) {
    const f = join(packageRoot, name)
    hash.update(name).update('\0').update(existsSync(f) ? readFileSync(f) : '').update('\0')
  }
  return hash.digest('hex')
}

function walk (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    return e.isDirectory() ? walk(path) : e.isFile() ? [path] : []
  })
}

/**
 * The key kept user documents are stored under (DirectoryStore.userDocument): the same for every
 * process that would render a user the same way, so documents outlive a restart, and different as
 * soon as anything a rendering reads could differ. That is the code and its libraries
 * (codeDigest), the Node.js version, the collation locale (projects are ordered with
 * localeCompare) and `inputs`, everything of the configuration the renderer is given (the rules:
 * grantedBy and the role catalogue come from them). What a user's document shows from the
 * database is guarded by the triggers, not by the key.
 */
export function renderKey (inputs: unknown, digest = codeDigest()): string {
  return createHash('sha256')
    .update(JSON.stringify({ code: digest, node: process.version, icu: process.versions.icu ?? null, locale: new Intl.Collator().resolvedOptions().locale, inputs }, faithful))
    .digest('hex')
    .slice(0, 32)
}

/**
 * JSON.stringify's replacer for the key: Maps and Sets (the group mapping is a Map) as their
 * entries, which JSON alone would write as `{}` whatever they hold; a value JSON would drop or
 * cannot tell apart (a function, a class instance other than these) is refused, never hashed as
 * something else. A Date has written itself (toJSON, its instant) before this sees it.
 */
function faithful (this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Map) return { map: [...value] }
  if (value instanceof Set) return { set: [...value] }
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw new TypeError(`renderKey: a ${typeof value} cannot be part of the key`)
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    throw new TypeError(`renderKey: a ${value.constructor.name} cannot be part of the key`)
  }
  return value
}
