import { SINCH_EXT } from './setup.js'

/**
 * RFC 7643 §7 schema of the read-only Sinch view on a User: what Sinch holds for the user in each
 * managed project, filled from provisioning state on every read and never taken from a request.
 * Plain JSON rather than a SCIMMY SchemaDefinition: SCIMMY only admits ids under
 * `urn:ietf:params:scim:schemas:`, a namespace reserved to the IETF (RFC 7643 §10.2), and the
 * bridge never parses this extension from input (PUT bodies that echo it have it dropped).
 */
const readOnly = { multiValued: false, required: false, caseExact: true, mutability: 'readOnly', returned: 'default', uniqueness: 'none' } as const

export const SINCH_SCHEMA = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
  id: SINCH_EXT,
  name: 'SinchUser',
  description: 'Sinch project membership managed by the bridge (read-only)',
  attributes: [
    {
      name: 'projects',
      type: 'complex',
      multiValued: true,
      description: 'Role and invitation status per managed project',
      required: false,
      mutability: 'readOnly',
      returned: 'default',
      uniqueness: 'none',
      subAttributes: [
        { name: 'projectId', type: 'string', description: 'The Sinch project id', ...readOnly },
        { name: 'role', type: 'string', description: 'The member\'s role in the project; null while not a member', canonicalValues: ['OWNER', 'ADMIN', 'MEMBER', 'READONLY', 'UNKNOWN'], ...readOnly },
        { name: 'status', type: 'string', description: 'PENDING until the invitation is accepted, then ACTIVE; null while not a member', canonicalValues: ['PENDING', 'ACTIVE', 'SUSPENDED', 'UNKNOWN'], ...readOnly },
        { name: 'pendingError', type: 'string', description: 'Why the change still queued for this project last failed; null when none is', ...readOnly },
        { name: 'grantedBy', type: 'string', description: 'Where the role comes from: the default projects, a group, or a role assigned in the IdP; null when nothing grants one', ...readOnly }
      ]
    }
  ]
} as const
