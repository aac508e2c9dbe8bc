/** What route modules share: config, clients, services and the audit log (one object, built once). */
import type pg from 'pg';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, adminActor } from '@usersync/platform';
import { csrfTokensMatch } from '../security/csrf.js';
import type { LoginRateLimiter } from '../security/rate-limit.js';
import type { SessionPolicy, SessionService } from '../security/sessions.js';
import type { KeyClient } from '../clients/key.client.js';
import type { LookupClient } from '../clients/lookup.client.js';
import type { RunClient } from '../clients/run.client.js';
import type { Config } from '../config.js';
import type { AuditActor, AuditRepository } from '../store/audit.repository.js';
import type { Views } from '../views.js';

/** Dependencies of the route modules. */
export interface RouteContext {
  config: Config;
  pool: pg.Pool;
  keys: KeyClient;
  runs: RunClient;
  /** LookupService (lookup-service): user lookup pages. */
  lookup: LookupClient;
  views: Views;
  policy: SessionPolicy;
  sessions: SessionService;
  limiter: LoginRateLimiter;
  audit: AuditRepository;
}

/** The audit actor for a request: its signed-in admin, else anonymous. */
export function actorOf(request: FastifyRequest): AuditActor {
  const admin = request.session?.admin;
  return admin ? adminActor(admin) : { kind: 'anonymous', id: '', displayName: '' };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set to MULTIPART_CSRF.csrf by routes that check the CSRF token of a multipart form themselves. */
    csrf?: 'first-multipart-field';
  }
}

/**
 * Route config of multipart forms: their `_csrf` field can only be read once the route streams the
 * body, so the server's CSRF hook leaves them to {@link checkMultipartCsrf}, which they call first.
 */
export const MULTIPART_CSRF = { csrf: 'first-multipart-field' } as const;

/** Refuses (403) unless `value`, the form's first field, is `_csrf` with the session's token. */
export function checkMultipartCsrf(request: FastifyRequest, field: { fieldname: string; value: unknown }): void {
  const expected = request.session?.csrfToken;
  const presented = field.fieldname === '_csrf' && typeof field.value === 'string' ? field.value : undefined;
  if (!expected || !csrfTokensMatch(presented, expected)) {
    throw new ForbiddenError(
      'CSRF_TOKEN_INVALID',
      'This form was missing its security token or the token has expired. Go back, reload the page and try again.',
    );
  }
}
