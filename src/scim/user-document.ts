import { randomUUID } from 'node:crypto'
import type { DocumentRenderer, UserView } from '../store/directory-store.js'

/**
 * Where the base URL goes in a kept document. JSON.stringify escapes every control character, so
 * its output never holds this one raw: the mark cannot collide with anything a user sent.
 */
const BASE = '\u0001'

/**
 * A renderer of kept user documents (DirectoryStore.userDocument) from `render`, the answer a read
 * gives for a base URL. The document is kept without the base URL, which comes from each request
 * (host, proxy headers): it is rendered with a random marker in its place, and every marker is
 * then swapped for the BASE mark. A user's representation holds the base URL in meta.location and
 * in each group's $ref; a marker count other than that (user data holding the marker, a
 * representation grown another link) gives null, and that read is served from the view.
 */
export function documentRenderer (render: (view: UserView, baseUrl: string) => unknown): DocumentRenderer {
  return (view) => {
    const marker = randomUUID()
    const parts = JSON.stringify(render(view, marker)).split(marker)
    return parts.length === 2 + view.groups.length ? parts.join(BASE) : null
  }
}

/** A kept document (or a text of several, a list) as sent to a request whose base URL is `baseUrl`. */
export function withBaseUrl (body: string, baseUrl: string): string {
  return body.replaceAll(BASE, JSON.stringify(baseUrl).slice(1, -1))
}
