/** Eta rendering: templates in src/views, autoescaped `<%= %>`, cached in production. */
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';

// Resolves to web/src/views from both src/ (tsx, vitest) and dist/ (the build), which sit side by side.
const VIEWS = fileURLToPath(new URL('./views', import.meta.url));

const pad = (n: number) => String(n).padStart(2, '0');

/** Formatting helpers available to every template as `it.h`. */
export const viewHelpers = {
  /** `2026-11-25 14:03 UTC`, or an em dash for no date. */
  date(d: Date | null | undefined): string {
    if (!d) return '—';
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
  },
  /** ISO 8601 for `<time datetime>`. */
  iso(d: Date | null | undefined): string {
    return d ? d.toISOString() : '';
  },
};

/** Renders templates by name ('pages/dashboard'), adding the signed-in admin and CSRF token. */
export function createViews(opts: { production: boolean }) {
  const eta = new Eta({ views: VIEWS, cache: opts.production, autoEscape: true, autoTrim: [false, 'nl'] });
  const render = (name: string, data: Record<string, unknown>): string => eta.render(name, data);
  return {
    render,
    /** Sends a full page or fragment as HTML with the request's session data. */
    send(request: FastifyRequest, reply: FastifyReply, name: string, data: Record<string, unknown> = {}, status = 200) {
      const session = request.session;
      const html = render(name, {
        admin: session?.admin,
        csrfToken: session?.csrfToken,
        path: request.url,
        h: viewHelpers,
        ...data,
      });
      return reply.code(status).type('text/html; charset=utf-8').send(html);
    },
  };
}

export type Views = ReturnType<typeof createViews>;
