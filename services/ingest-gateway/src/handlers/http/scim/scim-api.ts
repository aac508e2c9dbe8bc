/**
 * The SCIM 2.0 service provider at `/scim/v2` (RFC 7644): discovery, Users and Groups, and Entra's
 * bulkUpload, authenticated by API keys of scope `scim`. RFC Bulk and /Me are not offered
 * (ServiceProviderConfig says so).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { DEFAULT_MAX_BULK_OPERATIONS, GROUP_RESOURCE, ScimError, USER_RESOURCE } from '@usersync/scim';
import { scimGroups } from '../../../usecases/scim-groups.js';
import { scimUsers } from '../../../usecases/scim-users.js';
import type { ApiAuthOptions } from '../api-auth.hook.js';
import { registerBulkUploadRoutes } from './bulk-upload.routes.js';
import { registerDiscoveryRoutes } from './discovery.routes.js';
import { registerResourceRoutes } from './resource.routes.js';
import { registerScimAuth } from './scim-auth.hook.js';
import { registerScimBodies, sendScimError } from './scim-reply.js';

export const SCIM_PREFIX = '/scim/v2';

/** A request to a SCIM path that fastify refused before routing gets a SCIM error body too. */
export function scimFrameworkError(request: FastifyRequest, reply: FastifyReply, message: string): boolean {
  if (!request.url.startsWith(`${SCIM_PREFIX}/`)) return false;
  void sendScimError(reply, new ScimError(400, 'invalidSyntax', message));
  return true;
}

export interface ScimApiDeps {
  pool: Pool;
  auth: ApiAuthOptions;
  /** The largest page a list answers (ServiceProviderConfig filter.maxResults). */
  maxResults?: number;
  /** The largest request body, in bytes. */
  bodyLimit?: number;
  /** The most operations a bulkUpload request may carry (Entra documents 50; default 1,000). */
  maxBulkOperations?: number;
}

export async function registerScimApi(app: FastifyInstance, deps: ScimApiDeps): Promise<void> {
  const maxResults = deps.maxResults ?? 200;
  await app.register(
    async (api) => {
      api.decorateRequest('actor', undefined);
      // A 1,000-operation bulk request of full users is a few MiB.
      registerScimBodies(api, deps.bodyLimit ?? 16 * 1024 * 1024);
      registerScimAuth(api, deps.auth);
      registerDiscoveryRoutes(api, maxResults);
      registerResourceRoutes(api, USER_RESOURCE, scimUsers(deps.pool, maxResults));
      registerResourceRoutes(api, GROUP_RESOURCE, scimGroups(deps.pool, maxResults));
      registerBulkUploadRoutes(api, {
        pool: deps.pool,
        maxOperations: deps.maxBulkOperations ?? DEFAULT_MAX_BULK_OPERATIONS,
      });
      for (const path of ['/Bulk', '/Me'])
        api.all(path, async (_request, reply) =>
          sendScimError(
            reply,
            new ScimError(501, undefined, `${path.slice(1)} is not supported by this service provider.`),
          ),
        );
    },
    { prefix: SCIM_PREFIX },
  );
}
