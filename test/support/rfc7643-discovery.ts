/**
 * JSON Schemas of the discovery documents as RFC 7643 defines them, and nothing more
 * (additionalProperties: false): §5 ServiceProviderConfig, §6 ResourceType, §7 Schema with its
 * attribute characteristics. A strict client (pydantic models with extra="forbid") reads them so.
 */
const meta = {
  type: 'object',
  additionalProperties: false,
  properties: { resourceType: { type: 'string' }, location: { type: 'string' }, created: { type: 'string' }, lastModified: { type: 'string' }, version: { type: 'string' } }
}

const supported = { type: 'object', additionalProperties: false, required: ['supported'], properties: { supported: { type: 'boolean' } } }

export const SERVICE_PROVIDER_CONFIG = {
  type: 'object',
  additionalProperties: false,
  required: ['schemas', 'patch', 'bulk', 'filter', 'changePassword', 'sort', 'etag', 'authenticationSchemes'],
  properties: {
    schemas: { type: 'array', const: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'] },
    documentationUri: { type: 'string' },
    patch: supported,
    bulk: { type: 'object', additionalProperties: false, required: ['supported', 'maxOperations', 'maxPayloadSize'], properties: { supported: { type: 'boolean' }, maxOperations: { type: 'integer' }, maxPayloadSize: { type: 'integer' } } },
    filter: { type: 'object', additionalProperties: false, required: ['supported', 'maxResults'], properties: { supported: { type: 'boolean' }, maxResults: { type: 'integer' } } },
    changePassword: supported,
    sort: supported,
    etag: supported,
    authenticationSchemes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'name', 'description'],
        properties: { type: { enum: ['oauth', 'oauth2', 'oauthbearertoken', 'httpbasic', 'httpdigest'] }, name: { type: 'string' }, description: { type: 'string' }, specUri: { type: 'string' }, documentationUri: { type: 'string' }, primary: { type: 'boolean' } }
      }
    },
    meta
  }
}

export const RESOURCE_TYPE = {
  type: 'object',
  additionalProperties: false,
  required: ['schemas', 'id', 'name', 'endpoint', 'schema'],
  properties: {
    schemas: { type: 'array', const: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'] },
    id: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    endpoint: { type: 'string' },
    schema: { type: 'string', pattern: '^urn:' },
    schemaExtensions: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['schema', 'required'], properties: { schema: { type: 'string', pattern: '^urn:' }, required: { type: 'boolean' } } }
    },
    meta
  }
}

/** RFC 7643 §7 "attributes": every characteristic typed; sub-attributes may not nest further. */
function attribute (nested: boolean): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'type', 'multiValued', 'required', 'mutability', 'returned'],
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z$][\\w$-]*$' },
      type: { enum: ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary', 'complex'] },
      multiValued: { type: 'boolean' },
      description: { type: 'string' },
      required: { type: 'boolean' },
      canonicalValues: { type: 'array' },
      caseExact: { type: 'boolean' },
      mutability: { enum: ['readOnly', 'readWrite', 'immutable', 'writeOnly'] },
      returned: { enum: ['always', 'never', 'default', 'request'] },
      uniqueness: { enum: ['none', 'server', 'global'] },
      referenceTypes: { type: 'array', items: { type: 'string' } },
      ...(nested ? {} : { subAttributes: { type: 'array', items: attribute(true) } })
    }
  }
}

export const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['schemas', 'id', 'attributes'],
  properties: {
    schemas: { type: 'array', const: ['urn:ietf:params:scim:schemas:core:2.0:Schema'] },
    id: { type: 'string', pattern: '^urn:' },
    name: { type: 'string' },
    description: { type: 'string' },
    attributes: { type: 'array', items: attribute(false) },
    meta
  }
}

export const LIST_OF = (item: object): object => ({
  type: 'object',
  additionalProperties: false,
  required: ['schemas', 'totalResults', 'Resources'],
  properties: {
    schemas: { type: 'array', const: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'] },
    totalResults: { type: 'integer' },
    startIndex: { type: 'integer' },
    itemsPerPage: { type: 'integer' },
    Resources: { type: 'array', items: item }
  }
})
