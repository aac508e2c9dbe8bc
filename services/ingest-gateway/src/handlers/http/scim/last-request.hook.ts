/**
 * Notes every answered request under /scim/v2 for the portal's "last request" (the recorder writes it at
 * most about once a second). On the root app, so requests refused before routing (no route, unreadable
 * URL) and by the SCIM auth hook are noted too: a client with a wrong token shows up as a 401.
 */
import type { FastifyInstance } from 'fastify';
import type { ScimRequestRecorder } from '../../../usecases/scim-request-recorder.js';
import { SCIM_PREFIX } from './scim-api.js';

const MAX_PATH = 300;

/** The request path without its query string (it may name users), cut to a length a page can show. */
function pathOf(url: string): string {
  const q = url.indexOf('?');
  return (q < 0 ? url : url.slice(0, q)).slice(0, MAX_PATH);
}

export function registerScimLastRequest(app: FastifyInstance, recorder: ScimRequestRecorder): void {
  app.addHook('onResponse', async (request, reply) => {
    const url = request.raw.url ?? request.url;
    if (url !== SCIM_PREFIX && !url.startsWith(`${SCIM_PREFIX}/`) && !url.startsWith(`${SCIM_PREFIX}?`)) return;
    const key = request.actor?.kind === 'api_key' ? request.actor : undefined;
    recorder.note({
      at: new Date(),
      keyId: key?.id ?? null,
      keyName: key?.displayName ?? null,
      method: request.method.slice(0, 10),
      path: pathOf(url),
      status: reply.statusCode,
    });
  });
}
