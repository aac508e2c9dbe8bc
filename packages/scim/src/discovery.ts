/**
 * The discovery documents (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas, with their
 * `meta.location` under the server's base URL (e.g. `https://sync.example.org/scim/v2`).
 */
import { RESOURCE_TYPES, type ResourceType } from './resource-types.js';
import { SCHEMAS, type Schema } from './schemas.js';

export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** What the server supports; `maxResults` is the largest page a list answers. */
export interface ProviderLimits {
  maxResults: number;
  documentationUri?: string;
}

export function serviceProviderConfig(baseUrl: string, limits: ProviderLimits) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    ...(limits.documentationUri ? { documentationUri: limits.documentationUri } : {}),
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'An usersync API key with the scim scope, sent as "Authorization: Bearer <key>".',
        primary: true,
      },
      {
        type: 'httpbasic',
        name: 'HTTP Basic',
        description: 'Any user name, and an usersync API key with the scim scope as the password.',
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypeDocument(baseUrl: string, type: ResourceType) {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: type.id,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema.id,
    ...(type.extensions.length
      ? { schemaExtensions: type.extensions.map((e) => ({ schema: e.schema.id, required: e.required })) }
      : {}),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type.id}` },
  };
}

export function schemaDocument(baseUrl: string, schema: Schema) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

export const resourceTypeDocuments = (baseUrl: string) => RESOURCE_TYPES.map((t) => resourceTypeDocument(baseUrl, t));
export const schemaDocuments = (baseUrl: string) => SCHEMAS.map((s) => schemaDocument(baseUrl, s));
