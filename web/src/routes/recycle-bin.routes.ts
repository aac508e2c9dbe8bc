/**
 * The recycle bin (issue 18 item 2): GET /recycle-bin lists the users a sync blocked for leaving the feed (when,
 * days left, what happens after the grace period; username prefix search; pages), GET /recycle-bin/:username/
 * restore asks to confirm (the safe choice, Cancel, has the focus) and POST restores the user through
 * LookupService.RestoreUser: active again with the memberships they kept, out of the bin, and left alone by the
 * next run until a feed names them again (then that run updates them). Every restore is in the audit log.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errorEdges } from '@usersync/platform';
import { actorOf, type RouteContext } from './route-context.js';
import { normaliseLookup } from './users.routes.js';

/** Users per page of the bin. */
export const RECYCLE_PAGE_SIZE = 25;

/** What each configured step means, as the page says it. */
export const AFTER_GRACE_TEXT: Readonly<Record<string, string>> = {
  keep: 'stays blocked',
  anonymise: 'is anonymised',
  delete: 'is deleted',
};

const isUnavailable = (err: unknown) =>
  errorEdges(err).http === 503 || (err as { code?: unknown }).code === 'GRPC_UNIMPLEMENTED';

type UserParams = { Params: { username: string } };

/** Registers /recycle-bin and its restore confirm. */
export function recycleBinRoutes(ctx: RouteContext): FastifyPluginAsync {
  /** The user as the restore page shows them, when they are in the bin (exact username). */
  async function inBin(username: string) {
    const user = (await ctx.lookup.lookupUser(username)).find((m) => m.username === username);
    if (!user?.recycleBin) return undefined;
    const entry = {
      username: user.username,
      nameFirst: user.nameFirst,
      nameLast: user.nameLast,
      state: user.recycleBin,
      blockedByRunId: user.lastRunId,
      memberships: user.groups.length,
    };
    return { entry, afterGrace: user.recycleBin.afterGrace };
  }

  function notInBin(request: FastifyRequest, reply: FastifyReply, username: string) {
    const message = `${username} is not in the recycle bin: a run or an admin brought them back, or the recycle timer already acted.`;
    return ctx.views.send(request, reply, 'pages/error', { title: 'Not in the recycle bin', message }, 404);
  }

  return async (app) => {
    app.get<{ Querystring: { q?: string; page?: string; restored?: string } }>(
      '/recycle-bin',
      async (request, reply) => {
        const q = typeof request.query.q === 'string' ? normaliseLookup(request.query.q.slice(0, 320)) : '';
        const pageToken = typeof request.query.page === 'string' ? request.query.page.slice(0, 800) : '';
        const restored = typeof request.query.restored === 'string' ? request.query.restored.slice(0, 320) : '';
        const data = { title: 'Recycle bin', q, restored, afterText: AFTER_GRACE_TEXT };
        try {
          const page = await ctx.lookup.listRecycleBin(q, RECYCLE_PAGE_SIZE, pageToken);
          const query = q ? `q=${encodeURIComponent(q)}&` : '';
          return ctx.views.send(request, reply, 'pages/recycle-bin/index', {
            ...data,
            page,
            moreUrl: page.nextPageToken ? `/recycle-bin?${query}page=${encodeURIComponent(page.nextPageToken)}` : '',
            firstUrl: pageToken ? `/recycle-bin${q ? `?q=${encodeURIComponent(q)}` : ''}` : '',
          });
        } catch (err) {
          if (!isUnavailable(err)) throw err;
          request.log.warn({ err }, 'lookup service unavailable');
          return ctx.views.send(request, reply, 'pages/recycle-bin/index', { ...data, unavailable: true });
        }
      },
    );

    app.get<UserParams>('/recycle-bin/:username/restore', async (request, reply) => {
      const username = normaliseLookup(request.params.username);
      const found = await inBin(username);
      if (!found) return notInBin(request, reply, username);
      return ctx.views.send(request, reply, 'pages/recycle-bin/restore', {
        title: `Restore ${username}`,
        entry: found.entry,
        afterText: AFTER_GRACE_TEXT[found.afterGrace] ?? found.afterGrace,
      });
    });

    app.post<UserParams>('/recycle-bin/:username/restore', async (request, reply) => {
      const username = normaliseLookup(request.params.username);
      const found = await inBin(username);
      if (!found) return notInBin(request, reply, username);
      await ctx.lookup.restoreUser(username, request.session!.admin);
      // lookup-service owns no audit table: the portal's audit log records the restore, with the admin.
      await ctx.audit.write({
        actor: actorOf(request),
        action: 'user.restored',
        target: `user:${username}`,
        detail: {
          blockedAt: found.entry.state?.blockedAt?.toISOString() ?? null,
          memberships: found.entry.memberships,
        },
        ip: request.ip,
      });
      request.log.info({ username }, 'user restored from the recycle bin');
      return reply.redirect(`/recycle-bin?restored=${encodeURIComponent(username)}`, 303);
    });
  };
}
