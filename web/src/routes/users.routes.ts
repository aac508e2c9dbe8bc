/**
 * User lookup (DESIGN §7, reference §4): GET /users/lookup?q= (the Find user box's target), the
 * user's history pages (htmx "Older changes" fragments), and Set error state with a confirm step.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { commonV1, type lookupV1 } from '@usersync/contracts';
import { errorEdges } from '@usersync/platform';
import { isFragmentRequest } from '../htmx.js';
import { viewHelpers } from '../views.js';
import { actorOf, type RouteContext } from './route-context.js';

/** Users per page of search results. */
export const SEARCH_PAGE_SIZE = 25;

/** History entries per page on the lookup page and its "Older changes" fragments. */
export const HISTORY_PAGE_SIZE = 10;

/** How lookup input is shown back ("No user found for x"): trimmed and lower-cased, as the service matches it. */
export function normaliseLookup(q: string): string {
  return q.trim().toLowerCase();
}

const ACTION_LABELS: Readonly<Record<number, string>> = {
  [commonV1.UserAction.USER_ACTION_CREATE]: 'create',
  [commonV1.UserAction.USER_ACTION_UPDATE]: 'update',
  [commonV1.UserAction.USER_ACTION_REACTIVATE]: 'reactivate',
  [commonV1.UserAction.USER_ACTION_BLOCK]: 'block',
  [commonV1.UserAction.USER_ACTION_DELETE]: 'delete',
  [commonV1.UserAction.USER_ACTION_ANONYMISE]: 'anonymise',
  [commonV1.UserAction.USER_ACTION_RESTORE]: 'restore',
};

/** The received record as indented JSON; the stored text as it is if it is not JSON. */
function prettyRecord(json: string): string {
  if (json === '') return '';
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

/** True when the lookup service is down or not deployed: the page says so instead of failing. */
const isUnavailable = (err: unknown) =>
  errorEdges(err).http === 503 || (err as { code?: unknown }).code === 'GRPC_UNIMPLEMENTED';

/** Registers the user lookup pages. */
export function usersRoutes(ctx: RouteContext): FastifyPluginAsync {
  const lookup = ctx.lookup;
  const historyView = (username: string, page: lookupV1.GetUserHistoryResponse) => ({
    username,
    entries: page.entries,
    nextPageToken: page.nextPageToken,
    labels: ACTION_LABELS,
    h: viewHelpers,
  });

  async function findOne(username: string): Promise<lookupV1.UserDetails | undefined> {
    const matches = await lookup.lookupUser(username);
    return matches.find((m) => m.username === normaliseLookup(username));
  }

  function notFound(request: FastifyRequest, reply: FastifyReply, username: string) {
    return ctx.views.send(
      request,
      reply,
      'pages/error',
      { title: 'Not found', message: `No user found for ${username}` },
      404,
    );
  }

  return async (app) => {
    // One exact username/email match shows the user; anything else (or ?list=1) lists prefix and name matches.
    app.get<{ Querystring: { q?: string; errorSet?: string; list?: string; page?: string } }>(
      '/users/lookup',
      async (request, reply) => {
        const q = typeof request.query.q === 'string' ? request.query.q.slice(0, 320) : '';
        const normalised = normaliseLookup(q);
        const data: Record<string, unknown> = {
          title: 'User lookup',
          q,
          normalised,
          errorSet: request.query.errorSet === '1',
        };
        if (normalised === '') return ctx.views.send(request, reply, 'pages/users/lookup', data);
        const pageToken = typeof request.query.page === 'string' ? request.query.page.slice(0, 800) : '';
        let matches: lookupV1.UserDetails[];
        let search: lookupV1.SearchUsersResponse | undefined;
        try {
          const listed = request.query.list === '1' || pageToken !== '';
          matches = listed ? [] : await lookup.lookupUser(normalised);
          if (matches.length !== 1) search = await lookup.searchUsers(normalised, SEARCH_PAGE_SIZE, pageToken);
        } catch (err) {
          if (!isUnavailable(err)) throw err;
          request.log.warn({ err }, 'lookup service unavailable');
          return ctx.views.send(request, reply, 'pages/users/lookup', { ...data, unavailable: true });
        }
        if (search) {
          const more = search.nextPageToken
            ? `/users/lookup?q=${encodeURIComponent(normalised)}&page=${encodeURIComponent(search.nextPageToken)}`
            : undefined;
          return ctx.views.send(request, reply, 'pages/users/lookup', {
            ...data,
            results: search.users,
            moreUrl: more,
            firstUrl: pageToken ? `/users/lookup?q=${encodeURIComponent(normalised)}&list=1` : undefined,
          });
        }
        const user = matches[0]!;
        const history = await lookup.getUserHistory(user.username, HISTORY_PAGE_SIZE);
        return ctx.views.send(request, reply, 'pages/users/lookup', {
          ...data,
          matches,
          user,
          record: prettyRecord(user.lastRecordJson),
          history: historyView(user.username, history),
          errorRuns: history.errorRuns,
          othersUrl: `/users/lookup?q=${encodeURIComponent(normalised)}&list=1`,
        });
      },
    );

    // Older history: the fragment for htmx's "Older changes", or a whole page without JavaScript.
    app.get<{ Params: { username: string }; Querystring: { page?: string } }>(
      '/users/:username/history',
      async (request, reply) => {
        const username = normaliseLookup(request.params.username);
        const page = await lookup.getUserHistory(username, HISTORY_PAGE_SIZE, String(request.query.page ?? ''));
        const view = historyView(username, page);
        if (isFragmentRequest(request, reply)) {
          return reply.type('text/html; charset=utf-8').send(ctx.views.render('pages/users/_history', view));
        }
        return ctx.views.send(request, reply, 'pages/users/history', {
          title: `History of ${username}`,
          history: view,
        });
      },
    );

    app.get<{ Params: { username: string } }>('/users/:username/error-state', async (request, reply) => {
      const user = await findOne(request.params.username);
      if (!user) return notFound(request, reply, normaliseLookup(request.params.username));
      return ctx.views.send(request, reply, 'pages/users/error-state', { title: 'Set error state', user });
    });

    app.post<{ Params: { username: string } }>('/users/:username/error-state', async (request, reply) => {
      const username = normaliseLookup(request.params.username);
      const before = await findOne(username);
      if (!before) return notFound(request, reply, username);
      const user = await lookup.setErrorState(username, request.session!.admin);
      // lookup-service owns no schema: the portal's audit log is where this change is recorded, with the admin.
      await ctx.audit.write({
        actor: actorOf(request),
        action: 'user.error_state_set',
        target: `user:${username}`,
        detail: { alreadyInError: before.error },
        ip: request.ip,
      });
      request.log.info({ username: user?.username ?? username }, 'user error state set');
      return reply.redirect(`/users/lookup?q=${encodeURIComponent(username)}&errorSet=1`, 303);
    });
  };
}
