/**
 * Authentication of the upload API (DESIGN §4): an API key as the HTTP Basic password (any
 * username; Haplo scripts send `haplo`) or as a Bearer token, verified through key-service with
 * scope `sync:upload`. Runs before the body is read, as Haplo does, so a refused upload costs nothing.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPublicRoute } from '@usersync/platform';
import type { StoredActor } from '@usersync/run-state';
import { HaploMessages } from '../../domain/messages.js';

/** The scope the upload API needs. */
export const UPLOAD_SCOPE = 'sync:upload';

/** What the verifier says about a presented key (keysV1.VerifyKeyResponse fits). */
export interface KeyCheck {
  valid: boolean;
  keyId: string;
  name: string;
  /** Why it is invalid; 5 (INVALID_REASON_MISSING_SCOPE) means "known key, wrong scope" → 403. */
  reason: number;
}

export interface ApiAuthOptions {
  /** The key in an Authorization header value, or undefined (platform `parseCredentials`). */
  readSecret: (authorization: string | undefined) => string | undefined;
  /** Checks a key for `scope` (a cached KeyService.VerifyKey). Throws RetryableError when key-service is down. */
  verify: (secret: string, scope: string) => Promise<KeyCheck>;
}

const MISSING_SCOPE = 5;

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key behind an authenticated upload-API request. */
    actor?: StoredActor;
  }
}

function challenge(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Basic realm="usersync"')
    .type('text/plain; charset=utf-8')
    .send(message);
}

/** Adds the auth hook to every non-public route of `app` (register it in the API's scope). */
export function registerApiAuth(app: FastifyInstance, opts: ApiAuthOptions): void {
  app.decorateRequest('actor', undefined);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (isPublicRoute(request)) return;
    const secret = opts.readSecret(request.headers.authorization);
    if (!secret) {
      return challenge(reply, 'Authentication required: send an API key as the HTTP Basic password or a Bearer token.');
    }
    const check = await opts.verify(secret, UPLOAD_SCOPE);
    if (!check.valid) {
      if (check.reason === MISSING_SCOPE && check.keyId) {
        request.log.info({ keyId: check.keyId }, 'api key lacks scope');
        return reply.code(403).type('text/plain; charset=utf-8').send(HaploMessages.notPermitted);
      }
      return challenge(reply, 'Invalid API key: it is unknown, revoked or expired.');
    }
    request.actor = { kind: 'api_key', id: check.keyId, displayName: check.name };
  });
}
