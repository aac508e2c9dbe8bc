/**
 * A form posted after its session expired keeps the admin's input (issue 17 item 3). The session
 * gate defers such a POST ({@link deferExpiredPost}) until fastify has read the body; then
 * {@link keepExpiredForms} stores the fields server-side for a short time under a random cookie,
 * never passwords, secrets or the CSRF token, and sends the admin to sign in with `next=` the form's
 * page. After sign-in that page calls {@link restoreForm} and shows the input again with a notice.
 * A multipart upload cannot be kept (the file is not read): the sign-in page says it must be repeated.
 *
 * Only a POST that presents a session cookie (its session has ended) from our own origin is kept: a
 * cross-site POST carries no SameSite=Lax cookie, so no other site can plant input in the forms.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { formsRepository, type FormStashRow } from '../store/forms.repository.js';
import { SESSION_COOKIE, type SessionPolicy } from './sessions.js';

/** The cookie naming a kept form. */
export const FORM_STASH_COOKIE = 'usersync_form';
/** How long input is kept: long enough to sign in again. */
export const FORM_STASH_TTL_MS = 15 * 60_000;
/** Pages that put kept input back into their form (the others are returned to, input lost: the sign-in page says so). */
export const RESTORING_FORMS: readonly string[] = ['/config', '/api-keys/new'];
/** Field names never stored. */
const SENSITIVE = /^_csrf$|password|secret|token/i;
const SAFE_PATH = /^\/(?![/\\])/;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the session gate: a same-origin POST whose session expired, answered by keepExpiredForms. */
    expiredPost?: boolean;
  }
}

/** host[:port] as URL normalises it (a default port dropped), for comparing Origin and Referer with Host. */
const hostOf = (request: FastifyRequest) => {
  try {
    return new URL(`http://${request.headers.host ?? ''}`).host;
  } catch {
    return '';
  }
};
const idOf = (token: string) => createHash('sha256').update(token).digest('hex');
const pathOf = (url: string) => new URL(url, 'http://portal.invalid').pathname;

/** True (and marks the request) when an unauthenticated POST is one whose input should be kept. */
export function deferExpiredPost(request: FastifyRequest): boolean {
  if (request.method !== 'POST' || !request.cookies[SESSION_COOKIE]) return false;
  const origin = request.headers.origin;
  if (origin !== undefined && (origin === 'null' || !URL.canParse(origin) || new URL(origin).host !== hostOf(request)))
    return false;
  request.expiredPost = true;
  return true;
}

/** Where to return after sign-in: the form's page (the Referer, when ours), else the posted path. */
function returnPathOf(request: FastifyRequest): string {
  const referer = request.headers.referer;
  if (referer) {
    try {
      const u = new URL(referer);
      const path = u.pathname + u.search;
      if (u.host === hostOf(request) && SAFE_PATH.test(path) && u.pathname !== '/login') return path;
    } catch {
      /* not a URL: fall back */
    }
  }
  const posted = request.url.split('?')[0] ?? '/';
  return SAFE_PATH.test(posted) ? posted : '/';
}

/** Most text kept of one form (the configuration's longest lists fit; a flood does not). */
const MAX_KEPT_CHARS = 100_000;

/** The fields to keep, or undefined when there is too much to keep. */
function keptFields(body: unknown): Record<string, string | string[]> | undefined {
  const fields: Record<string, string | string[]> = {};
  if (!body || typeof body !== 'object') return fields;
  let size = 0;
  for (const [name, value] of Object.entries(body as Record<string, unknown>).slice(0, 100)) {
    if (SENSITIVE.test(name)) continue;
    if (typeof value === 'string') fields[name] = value;
    else if (Array.isArray(value)) fields[name] = value.filter((v): v is string => typeof v === 'string').slice(0, 100);
    else continue;
    size += name.length + JSON.stringify(fields[name]).length;
  }
  return size <= MAX_KEPT_CHARS ? fields : undefined;
}

/** Registers the hook that keeps a deferred POST's input and sends the admin to sign in. */
export function keepExpiredForms(app: FastifyInstance, pool: Pick<pg.Pool, 'query'>, policy: SessionPolicy): void {
  const repo = formsRepository(pool);
  app.addHook('preValidation', async (request, reply) => {
    if (!request.expiredPost) return;
    const returnTo = returnPathOf(request);
    try {
      const token = randomBytes(32).toString('base64url');
      // A multipart body is still unread (uploads stream in the handler): there is nothing to keep.
      const fields = request.isMultipart() ? undefined : keptFields(request.body);
      const lost = request.isMultipart() ? 'upload' : fields === undefined ? 'too_large' : undefined;
      const stash = {
        id: idOf(token),
        returnTo,
        postedTo: pathOf(request.url),
        fields,
        lost,
        ttlMs: FORM_STASH_TTL_MS,
      } as const;
      const kept = await repo.insertStash(stash);
      if (kept)
        void reply.setCookie(FORM_STASH_COOKIE, token, {
          httpOnly: true,
          sameSite: 'lax',
          secure: policy.secure,
          path: '/',
          maxAge: FORM_STASH_TTL_MS / 1000,
        });
    } catch (err) {
      request.log.warn({ err }, 'expired form could not be kept');
    }
    request.log.info({ url: request.url }, 'post after session expiry: input kept, sign-in asked');
    const next = `/login?next=${encodeURIComponent(returnTo)}`;
    if (request.headers['hx-request'] === 'true') return reply.header('hx-redirect', next).code(204).send();
    return reply.redirect(next, 303);
  });
}

async function findStash(
  pool: Pick<pg.Pool, 'query'>,
  request: FastifyRequest,
): Promise<(FormStashRow & { id: string }) | undefined> {
  const token = request.cookies[FORM_STASH_COOKIE];
  if (!token || !TOKEN.test(token)) return undefined;
  const row = await formsRepository(pool).findStash(idOf(token));
  return row ? { ...row, id: idOf(token) } : undefined;
}

/** What the sign-in page says about a kept form; undefined when there is none. */
export async function expiredFormNotice(
  pool: Pick<pg.Pool, 'query'>,
  request: FastifyRequest,
): Promise<{ returnTo: string; restorable: boolean; upload: boolean; tooLarge: boolean } | undefined> {
  const stash = await findStash(pool, request);
  if (!stash) return undefined;
  const restorable = stash.fields !== undefined && RESTORING_FORMS.includes(pathOf(stash.returnTo));
  return {
    returnTo: stash.returnTo,
    restorable,
    upload: stash.lost === 'upload',
    tooLarge: stash.lost === 'too_large',
  };
}

/**
 * The kept input for the form at `pathname`, once: the stash is deleted and its cookie cleared.
 * Undefined when nothing was kept for this page.
 */
export async function restoreForm(
  pool: Pick<pg.Pool, 'query'>,
  request: FastifyRequest,
  reply: FastifyReply,
  pathname: string,
): Promise<Record<string, string | string[]> | undefined> {
  const stash = await findStash(pool, request);
  if (!stash || !stash.fields || pathOf(stash.returnTo) !== pathname) return undefined;
  await formsRepository(pool).deleteStash(stash.id);
  void reply.clearCookie(FORM_STASH_COOKIE, { path: '/' });
  return stash.fields;
}
