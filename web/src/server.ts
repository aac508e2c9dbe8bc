/**
 * buildServer(deps): the portal's fastify app without listening, so tests drive it with inject().
 * Cross-cutting rules live here: security headers, the session gate on every non-public route,
 * the CSRF check on every POST, and error pages.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import {
  DEFAULT_HTTP_LIMITS,
  errorEdges,
  httpServerOptions,
  isPublicRoute,
  malformedBodyMessage,
  readinessChecks,
  registerBodyTimeout,
  registerOpsRoutes,
} from '@usersync/platform';
import { csrfTokensMatch, presentedCsrfToken } from './security/csrf.js';
import { deferExpiredPost, keepExpiredForms } from './security/form-stash.js';
import { loginRateLimiter } from './security/rate-limit.js';
import { SESSION_COOKIE, sessionCookieOptions, sessionService, type SessionPolicy } from './security/sessions.js';
import type { KeyClient } from './clients/key.client.js';
import { createLookupClient, type LookupClient } from './clients/lookup.client.js';
import type { RunClient } from './clients/run.client.js';
import type { Config } from './config.js';
import { redirect } from './htmx.js';
import { auditRepository } from './store/audit.repository.js';
import { loginAttemptRepository } from './store/login-attempt.repository.js';
import type { SessionRecord } from './store/session.repository.js';
import { sessionRepository } from './store/session.repository.js';
import { apiKeysRoutes } from './routes/api-keys.routes.js';
import { auditRoutes } from './routes/audit.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { dashboardRoutes } from './routes/dashboard.routes.js';
import { staticRoutes } from './routes/static.routes.js';
import { usersRoutes } from './routes/users.routes.js';
import { createViews } from './views.js';
import { MULTIPART_CSRF, type RouteContext } from './routes/route-context.js';
import { configRoutes } from './routes/config.routes.js';
import { controlFileRoutes } from './routes/control-file.routes.js';
import { runExportsRoutes } from './routes/run-exports.routes.js';
import { runsRoutes } from './routes/runs.routes.js';
import { undoRoutes } from './routes/undo.routes.js';
import { recycleBinRoutes } from './routes/recycle-bin.routes.js';
import { alarmsRoutes } from './routes/alarms.routes.js';
import { uploadsRoutes } from './routes/uploads.routes.js';
import { sourcesRoutes } from './routes/sources.routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in admin's session; set by the session gate on every non-public route. */
    session?: SessionRecord;
  }
}

/** What buildServer needs; tests pass real pools and clients. */
export interface ServerDeps {
  pool: pg.Pool;
  config: Config;
  log: Logger;
  keys: KeyClient;
  runs: RunClient;
  /** LookupService client; when absent, one is made for config.LOOKUP_SERVICE_ADDR and closed with the server. */
  lookup?: LookupClient;
  /** False once shutdown has begun (/readyz answers 503). */
  isReady?: () => boolean;
  /** Sees every route as it is registered (tests enumerate the route table with it). */
  onRoute?: (route: RouteOptions) => void;
}

/**
 * No inline script or style anywhere (JS and CSS come from /static), no framing, forms post only
 * to us. htmx is configured by a <meta> tag not to inject its indicator <style>, which this blocks.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(reply: FastifyReply): void {
  void reply.header('content-security-policy', CSP);
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('x-frame-options', 'DENY');
  void reply.header('referrer-policy', 'same-origin');
  void reply.header('cross-origin-opener-policy', 'same-origin');
}

/** Builds the portal (not listening). */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config, pool } = deps;
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: 64 * 1024,
    ...httpServerOptions(DEFAULT_HTTP_LIMITS),
  });
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  registerBodyTimeout(app, DEFAULT_HTTP_LIMITS.bodyTimeoutMs);
  await app.register(cookie);
  // 256 KiB: an Apply form may leave up to 10,000 usernames out (run-state MAX_EXCLUDED_USERNAMES).
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  // File uploads stream through to RunService part by part (routes set their own size limits).
  await app.register(multipart, { limits: { fields: 10, files: 1, fieldSize: 64 * 1024 } });
  app.decorateRequest('session', undefined);

  const policy: SessionPolicy = {
    idleMs: config.SESSION_IDLE_MINUTES * 60_000,
    absoluteMs: config.SESSION_ABSOLUTE_MINUTES * 60_000,
    secure: new URL(config.PUBLIC_URL).protocol === 'https:',
  };
  const views = createViews({ production: process.env.NODE_ENV === 'production', timeZone: config.PORTAL_TIME_ZONE });
  const ctx: RouteContext = {
    config,
    keys: deps.keys,
    runs: deps.runs,
    lookup: deps.lookup ?? createLookupClient(config.LOOKUP_SERVICE_ADDR),
    views,
    policy,
    sessions: sessionService(sessionRepository(pool), policy),
    limiter: loginRateLimiter(loginAttemptRepository(pool), {
      maxPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
      windowMs: config.LOGIN_WINDOW_MINUTES * 60_000,
    }),
    pool,
    audit: auditRepository(pool),
  };

  if (!deps.lookup) app.addHook('onClose', async () => ctx.lookup.close());

  app.addHook('onSend', async (_request, reply, payload) => {
    securityHeaders(reply);
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });

  // Session gate: every route needs a live session unless it is registered public.
  app.addHook('onRequest', async (request, reply) => {
    if (isPublicRoute(request)) return;
    const token = request.cookies[SESSION_COOKIE];
    const session = await ctx.sessions.resume(token);
    if (session) {
      request.session = session;
      return;
    }
    if (token) void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(policy));
    // A form posted after its session expired: keepExpiredForms (below) keeps its input once the body is read.
    if (deferExpiredPost(request)) return;
    const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
    return redirect(request, reply, `/login${next}`);
  });
  keepExpiredForms(app, pool, policy);

  // CSRF: every state-changing request with a session must present the session's token.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || !request.session) return;
    // Multipart forms check their first field themselves (checkMultipartCsrf), before reading anything else.
    if (request.routeOptions.config.csrf === MULTIPART_CSRF.csrf && request.isMultipart()) return;
    if (csrfTokensMatch(presentedCsrfToken(request), request.session.csrfToken)) return;
    request.log.warn({ url: request.url }, 'request refused: missing or wrong CSRF token');
    return forbidden(request, reply);
  });

  function forbidden(request: FastifyRequest, reply: FastifyReply) {
    return views.send(
      request,
      reply,
      'pages/error',
      {
        title: 'Request refused',
        message:
          'This form was missing its security token or the token has expired. Go back, reload the page and try again.',
      },
      403,
    );
  }

  app.setErrorHandler((err, request, reply) => {
    if (request.bodyTimedOut || reply.raw.headersSent) return reply.hijack();
    // A body the parsers could not read (cut short, no boundary, bad bytes) is the client's error.
    const malformed = malformedBodyMessage(err);
    if (malformed) {
      request.log.info({ err: malformed }, 'request rejected: malformed body');
      return views.send(request, reply, 'pages/error', { title: 'Request refused', message: malformed }, 400);
    }
    const edges = errorEdges(err);
    const status = (err as { statusCode?: number }).statusCode ?? edges.http;
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: edges.code }, 'request rejected');
    const message =
      edges.http === 503
        ? 'A service this page needs is not answering. Try again in a moment.'
        : status < 500 && status !== edges.http
          ? 'The request could not be understood.'
          : edges.publicMessage;
    return views.send(request, reply, 'pages/error', { title: 'Something went wrong', message }, status);
  });

  app.setNotFoundHandler((request, reply) =>
    views.send(
      request,
      reply,
      'pages/error',
      { title: 'Not found', message: 'There is no page at this address.' },
      404,
    ),
  );

  registerOpsRoutes(app, { isReady: deps.isReady, checks: { postgres: readinessChecks.postgres(pool) } });
  await app.register(staticRoutes);
  await app.register(authRoutes(ctx));
  await app.register(dashboardRoutes(ctx));
  await app.register(apiKeysRoutes(ctx));
  await app.register(auditRoutes(ctx));
  await app.register(usersRoutes(ctx));
  await app.register(runsRoutes(ctx));
  await app.register(undoRoutes(ctx));
  await app.register(recycleBinRoutes(ctx));
  await app.register(alarmsRoutes(ctx));
  await app.register(runExportsRoutes(ctx));
  await app.register(configRoutes(ctx));
  await app.register(controlFileRoutes(ctx));
  await app.register(uploadsRoutes(ctx));
  await app.register(sourcesRoutes(ctx));
  return app;
}
