/** GET /audit: the audit log, newest first, 50 per page; "Older entries" pages back (htmx appends rows). */
import type { FastifyPluginAsync } from 'fastify';
import { isFragmentRequest } from '../htmx.js';
import type { RouteContext } from './route-context.js';

const PAGE_SIZE = 50;

/** Registers the audit page. */
export function auditRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { before?: string } }>('/audit', async (request, reply) => {
      const before = /^\d{1,15}$/.test(request.query.before ?? '') ? Number(request.query.before) : undefined;
      const page = await ctx.audit.list({ limit: PAGE_SIZE, beforeId: before });
      const olderUrl = page.hasMore ? `/audit?before=${page.entries.at(-1)!.id}` : undefined;
      const data = { title: 'Audit log', entries: page.entries, olderUrl, paged: before !== undefined };
      const template = isFragmentRequest(request, reply) ? 'partials/audit/rows' : 'pages/audit/index';
      return ctx.views.send(request, reply, template, data);
    });
  };
}
