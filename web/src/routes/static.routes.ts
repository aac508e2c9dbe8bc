/**
 * Static assets: the portal's own JS and CSS from web/public, and htmx from the pinned htmx.org
 * package (no CDN). Read once at start; public routes (the login page needs them too).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

const PUBLIC = (name: string) => fileURLToPath(new URL(`../../public/${name}`, import.meta.url));

/** Files served under /static/, with their content types. */
const ASSETS: Array<{ name: string; path: () => string; type: string }> = [
  {
    name: 'htmx.min.js',
    path: () => createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  { name: 'app.js', path: () => PUBLIC('app.js'), type: 'text/javascript; charset=utf-8' },
  { name: 'app.css', path: () => PUBLIC('app.css'), type: 'text/css; charset=utf-8' },
];

/** Registers GET /static/<asset>. */
export const staticRoutes: FastifyPluginAsync = async (app) => {
  for (const asset of ASSETS) {
    const body = await readFile(asset.path());
    app.get(`/static/${asset.name}`, { config: { public: true }, logLevel: 'warn' }, async (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(body),
    );
  }
};
