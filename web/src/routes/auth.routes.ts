/**
 * Sign-in and sign-out. The login form is protected against login CSRF with a double-submit token
 * (a cookie scoped to /login plus the same value in the form), since no session exists yet.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { normaliseEmail } from '../security/admin-accounts.js';
import { CSRF_FIELD, csrfTokensMatch } from '../security/csrf.js';
import { addError, errorSummary, hasErrors, type FieldErrors } from '../security/form-errors.js';
import { expiredFormNotice } from '../security/form-stash.js';
import { dummyPasswordHash, verifyPassword } from '../security/passwords.js';
import { SESSION_COOKIE, sessionCookieOptions, sessionIdOf } from '../security/sessions.js';
import { redirect } from '../htmx.js';
import { adminRepository } from '../store/admin.repository.js';
import { actorOf, type RouteContext } from './route-context.js';

const LOGIN_CSRF_COOKIE = 'usersync_login_csrf';
const WRONG = 'Wrong email or password.';

/**
 * Only same-site paths: `/x` but not `//host` or `/\host` (open-redirect guard). Browsers drop tabs
 * and newlines from a URL and read `\` as `/`, so `/<TAB>/host` is `//host`: no control character or
 * backslash is allowed anywhere, and the result must resolve to our own origin.
 */
const hasControlOrBackslash = (s: string) => [...s].some((c) => c < ' ' || c === '\x7f' || c === '\\');

function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/(?![/\\])/.test(next) || hasControlOrBackslash(next)) return '/';
  const base = 'http://portal.invalid';
  return new URL(next, base).origin === base ? next : '/';
}

/** Registers GET/POST /login and POST /logout. */
export function authRoutes(ctx: RouteContext): FastifyPluginAsync {
  const loginCookie = { httpOnly: true, sameSite: 'strict' as const, secure: ctx.policy.secure, path: '/login' };
  const admins = adminRepository(ctx.pool);

  async function loginPage(
    request: FastifyRequest,
    reply: FastifyReply,
    data: { email?: string; error?: string; next?: string; fields?: FieldErrors<'email' | 'password'> },
    status = 200,
  ) {
    let token = request.cookies[LOGIN_CSRF_COOKIE];
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
      token = randomBytes(32).toString('base64url');
      void reply.setCookie(LOGIN_CSRF_COOKIE, token, loginCookie);
    }
    return ctx.views.send(
      request,
      reply,
      'pages/login',
      {
        title: 'Sign in',
        loginCsrf: token,
        email: data.email ?? '',
        error: data.error,
        fields: data.fields ?? {},
        // The form-wide message (wrong password, rate limit) links to the email field it is about.
        summary: errorSummary(['email', 'password'], data.fields ?? {}).concat(
          data.error ? [{ id: 'email', message: data.error }] : [],
        ),
        next: safeNext(data.next),
        kept: await expiredFormNotice(ctx.pool, request),
      },
      status,
    );
  }

  return async (app) => {
    const publicRoute = { config: { public: true } };

    app.get<{ Querystring: { next?: string } }>('/login', publicRoute, async (request, reply) => {
      if (await ctx.sessions.resume(request.cookies[SESSION_COOKIE])) return redirect(request, reply, '/');
      return loginPage(request, reply, { next: request.query.next });
    });

    app.post<{ Body: Record<string, unknown> }>('/login', publicRoute, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
      const expected = request.cookies[LOGIN_CSRF_COOKIE];
      if (!expected || !csrfTokensMatch(field(CSRF_FIELD) || undefined, expected)) {
        request.log.warn('login refused: missing or wrong CSRF token');
        return ctx.views.send(
          request,
          reply,
          'pages/error',
          {
            title: 'Request refused',
            message: 'The sign-in form was missing its security token. Reload the sign-in page and try again.',
          },
          403,
        );
      }
      const email = normaliseEmail(field('email')).slice(0, 320);
      const password = field('password');
      const next = field('next');
      const ip = request.ip;
      const missing: FieldErrors<'email' | 'password'> = {};
      if (email === '') addError(missing, 'email', 'Enter your email address.');
      if (password === '') addError(missing, 'password', 'Enter your password.');
      if (hasErrors(missing)) return loginPage(request, reply, { email, next, fields: missing }, 400);

      const verdict = await ctx.limiter.check(email, ip);
      if (verdict.limited) {
        await ctx.audit.write({
          actor: actorOf(request),
          action: 'login.rate_limited',
          target: email,
          detail: { scope: verdict.scope },
          ip,
        });
        void reply.header('retry-after', String(verdict.retryAfterSeconds));
        const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
        const who = verdict.scope === 'account' ? 'this account' : 'your network address';
        return loginPage(
          request,
          reply,
          {
            email,
            next,
            error: `Too many failed sign-in attempts for ${who}. Wait ${minutes} minutes and try again.`,
          },
          429,
        );
      }

      const found = email && password.length <= 1024 ? await admins.findForLogin(email) : undefined;
      // Hash against a dummy when the account is unknown, so timing does not reveal which emails exist.
      const matches = await verifyPassword(password, found?.passwordHash ?? (await dummyPasswordHash()));
      if (!found || !matches || found.account.disabled) {
        await ctx.limiter.recordFailure(email, ip);
        await ctx.audit.write({
          actor: actorOf(request),
          action: 'login.failed',
          target: email,
          detail: { reason: !found ? 'unknown_account' : found.account.disabled ? 'disabled' : 'wrong_password' },
          ip,
        });
        return loginPage(request, reply, { email, next, error: WRONG }, 401);
      }

      await ctx.limiter.recordSuccess(email);
      // Rotation: whatever session the browser had is ended; the new one has a fresh id and CSRF token.
      const old = request.cookies[SESSION_COOKIE];
      if (old) await ctx.sessions.destroy(sessionIdOf(old));
      const token = await ctx.sessions.create(found.account.id, { ip, userAgent: request.headers['user-agent'] });
      await admins.recordLogin(found.account.id);
      await ctx.audit.write({
        actor: { kind: 'admin', id: found.account.id, displayName: found.account.displayName },
        action: 'login.succeeded',
        target: found.account.email,
        ip,
      });
      void reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(ctx.policy));
      void reply.clearCookie(LOGIN_CSRF_COOKIE, loginCookie);
      return redirect(request, reply, safeNext(next));
    });

    app.post('/logout', async (request, reply) => {
      const session = request.session!;
      await ctx.sessions.destroy(session.id);
      await ctx.audit.write({ actor: actorOf(request), action: 'logout', target: session.admin.email, ip: request.ip });
      void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx.policy));
      return redirect(request, reply, '/login');
    });
  };
}
