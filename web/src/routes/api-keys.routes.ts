/**
 * API keys: list, create (confirm page with advice → the secret shown once), revoke (confirm).
 * The secret exists only in the CreateKey response and the one HTML page rendered from it: it is
 * never stored, put in a URL or a session, and that page is served with `no-store`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { keysV1 } from '@usersync/contracts';
import { NotFoundError, ValidationError } from '@usersync/platform';
import { actorOf, type RouteContext } from './route-context.js';

/** The scope every portal-created key gets (upload API and run status). */
export const UPLOAD_SCOPE = 'sync:upload';
const MAX_NAME = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Registers the /api-keys pages. */
export function apiKeysRoutes(ctx: RouteContext): FastifyPluginAsync {
  async function findKey(id: string): Promise<keysV1.ApiKey> {
    if (!UUID.test(id)) throw new NotFoundError('API_KEY_NOT_FOUND', 'There is no API key with this id.');
    const key = (await ctx.keys.listKeys(true)).find((k) => k.id === id);
    if (!key) throw new NotFoundError('API_KEY_NOT_FOUND', 'There is no API key with this id.');
    return key;
  }

  return async (app) => {
    app.get<{ Querystring: { revoked?: string } }>('/api-keys', async (request, reply) => {
      const keys = await ctx.keys.listKeys(true);
      const revoked = keys.find((k) => k.id === request.query.revoked && k.revokedAt);
      return ctx.views.send(request, reply, 'pages/api-keys/index', { title: 'API keys', keys, revoked });
    });

    app.get('/api-keys/new', async (request, reply) =>
      ctx.views.send(request, reply, 'pages/api-keys/new', { title: 'Create API key', name: '', scope: UPLOAD_SCOPE }),
    );

    app.post<{ Body: { name?: unknown } }>('/api-keys', async (request, reply) => {
      const raw = typeof request.body?.name === 'string' ? request.body.name : '';
      const name = raw.trim();
      const problem =
        name === ''
          ? 'Give the key a name, for example "HR nightly export".'
          : name.length > MAX_NAME
            ? `The name must be at most ${MAX_NAME} characters.`
            : undefined;
      if (problem) {
        const data = { title: 'Create API key', name: raw.slice(0, 500), scope: UPLOAD_SCOPE, error: problem };
        return ctx.views.send(request, reply, 'pages/api-keys/new', data, 400);
      }
      const admin = request.session!.admin;
      const created = await ctx.keys.createKey({ name, scopes: [UPLOAD_SCOPE] }, admin).catch((err: unknown) => {
        // Let key-service's own validation message through as a form error; anything else is an error page.
        if (err instanceof ValidationError) return err;
        throw err;
      });
      if (created instanceof ValidationError) {
        const data = { title: 'Create API key', name: raw, scope: UPLOAD_SCOPE, error: created.message };
        return ctx.views.send(request, reply, 'pages/api-keys/new', data, 400);
      }
      const key = created.key!;
      await ctx.audit.write({
        actor: actorOf(request),
        action: 'api_key.created',
        target: `api_key:${key.id}`,
        detail: { name: key.name, prefix: key.displayPrefix, scopes: key.scopes },
        ip: request.ip,
      });
      void reply.header('cache-control', 'no-store, max-age=0').header('pragma', 'no-cache');
      return ctx.views.send(request, reply, 'pages/api-keys/created', {
        title: 'Your new API key',
        key,
        secret: created.secret,
      });
    });

    app.get<{ Params: { id: string } }>('/api-keys/:id/revoke', async (request, reply) => {
      const key = await findKey(request.params.id);
      return ctx.views.send(request, reply, 'pages/api-keys/revoke', { title: 'Revoke API key', key });
    });

    app.post<{ Params: { id: string } }>('/api-keys/:id/revoke', async (request, reply) => {
      const key = await findKey(request.params.id);
      const revoked = await ctx.keys.revokeKey(key.id, request.session!.admin);
      await ctx.audit.write({
        actor: actorOf(request),
        action: 'api_key.revoked',
        target: `api_key:${key.id}`,
        detail: { name: key.name, prefix: key.displayPrefix, alreadyRevoked: key.revokedAt !== undefined },
        ip: request.ip,
      });
      return reply.redirect(`/api-keys?revoked=${encodeURIComponent(revoked?.id ?? key.id)}`, 303);
    });
  };
}
