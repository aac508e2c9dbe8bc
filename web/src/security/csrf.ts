/**
 * CSRF: a synchronizer token stored with the server-side session. Every POST must carry it, as the
 * `_csrf` form field or the `X-CSRF-Token` header (htmx sends the header from `hx-headers` on
 * <body>). Tied to the session, so it needs no second cookie and rotates with every login.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** The form field carrying the token. */
export const CSRF_FIELD = '_csrf';
/** The header carrying the token. */
export const CSRF_HEADER = 'x-csrf-token';

/** The token the request presents, from the header or the form body. */
export function presentedCsrfToken(request: FastifyRequest): string | undefined {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  const body = request.body as Record<string, unknown> | undefined;
  const field = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/** Constant-time equality of two tokens (hashed first so lengths never leak through timing). */
export function csrfTokensMatch(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
