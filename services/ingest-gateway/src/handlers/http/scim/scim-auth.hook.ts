/**
 * SCIM authentication: an API key of scope `scim` as a Bearer token (or the HTTP Basic password),
 * verified through key-service like the upload API's keys. Refusals are SCIM error bodies.
 */
import type { FastifyInstance } from 'fastify';
import { ScimError } from '@usersync/scim';
import type { ApiAuthOptions } from '../api-auth.hook.js';
import { sendScimError } from './scim-reply.js';

export const SCIM_SCOPE = 'scim';
const MISSING_SCOPE = 5;

export function registerScimAuth(api: FastifyInstance, auth: ApiAuthOptions): void {
  api.addHook('onRequest', async (request, reply) => {
    const secret = auth.readSecret(request.headers.authorization);
    const refuse = (status: number, detail: string) => {
      if (status === 401) void reply.header('www-authenticate', 'Bearer realm="usersync SCIM"');
      return sendScimError(reply, new ScimError(status, undefined, detail));
    };
    if (!secret) return refuse(401, 'Authentication required: send an API key with the scim scope as a Bearer token.');
    const check = await auth.verify(secret, SCIM_SCOPE);
    if (!check.valid) {
      if (check.reason === MISSING_SCOPE && check.keyId)
        return refuse(403, 'This API key does not have the scim scope.');
      return refuse(401, 'Invalid API key: it is unknown, revoked or expired.');
    }
    request.actor = { kind: 'api_key', id: check.keyId, displayName: check.name };
  });
}
