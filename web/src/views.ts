/** Eta rendering: templates in src/views, autoescaped `<%= %>`, cached in production. */
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { backLink } from './viewmodels/back-link.js';
import { createTimeFormat, type TimeFormat } from './viewmodels/times.js';

// Resolves to web/src/views from both src/ (tsx, vitest) and dist/ (the build), which sit side by side.
const VIEWS = fileURLToPath(new URL('./views', import.meta.url));

/**
 * Formatting helpers available to every template as `it.h`, in UTC. Kept for callers that build view
 * data themselves; createViews replaces `h` with the portal zone's helpers on every render.
 */
export const viewHelpers: TimeFormat = createTimeFormat('UTC');

/** Renders templates by name ('pages/dashboard'), adding the signed-in admin and CSRF token. */
export function createViews(opts: { production: boolean; timeZone?: string }) {
  const eta = new Eta({ views: VIEWS, cache: opts.production, autoEscape: true, autoTrim: [false, 'nl'] });
  const h = createTimeFormat(opts.timeZone ?? 'UTC');
  // `h` last: every date on a page is in the portal's zone, whatever helpers a route passed.
  const render = (name: string, data: Record<string, unknown>): string => eta.render(name, { ...data, h });
  return {
    render,
    /** The helpers templates get as `it.h` (routes that format dates themselves use these too). */
    h,
    /** Sends a full page or fragment as HTML with the request's session data. */
    send(request: FastifyRequest, reply: FastifyReply, name: string, data: Record<string, unknown> = {}, status = 200) {
      const session = request.session;
      const html = render(name, {
        admin: session?.admin,
        csrfToken: session?.csrfToken,
        path: request.url,
        // Where "back" goes on an error page: the page the admin came from, else the section's list.
        back: backLink(request),
        ...data,
      });
      return reply.code(status).type('text/html; charset=utf-8').send(html);
    },
  };
}

export type Views = ReturnType<typeof createViews>;
