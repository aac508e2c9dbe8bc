/**
 * GET /users/lookup?q=: the Find user form's target. LookupService arrives with its own issue; until
 * then the page says so plainly rather than pretending to search.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { RouteContext } from './route-context.js';

/** Haplo's normalisation of lookup input: lower-cased, first whitespace run removed (reference §UI). */
export function normaliseLookup(q: string): string {
  return q.toLowerCase().replace(/\s+/, '').trim();
}

/** Registers the user lookup page. */
export function usersRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { q?: string } }>('/users/lookup', async (request, reply) => {
      const q = typeof request.query.q === 'string' ? request.query.q.slice(0, 320) : '';
      return ctx.views.send(request, reply, 'pages/users/lookup', {
        title: 'User lookup',
        q,
        normalised: normaliseLookup(q),
      });
    });
  };
}
