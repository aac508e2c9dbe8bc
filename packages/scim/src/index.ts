/** @usersync/scim: the SCIM 2.0 protocol (RFC 7643 / RFC 7644), pure, for the SCIM endpoints and bulk feeds. */
export * from './attribute.js';
export * from './bulk-request.js';
export * from './discovery.js';
export * from './errors.js';
export * from './etag.js';
export * from './filter.js';
export * from './filter-match.js';
export * from './list-response.js';
export * from './normalize.js';
export * from './patch.js';
export * from './patch-path.js';
export * from './projection.js';
export * from './resource-types.js';
export * from './schemas.js';
