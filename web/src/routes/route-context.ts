/** What route modules share: config, clients, services and the audit log (one object, built once). */
import type pg from 'pg';
import type { FastifyRequest } from 'fastify';
import type { LoginRateLimiter } from '../auth/rate-limit.js';
import type { SessionPolicy, SessionService } from '../auth/sessions.js';
import type { KeyClient } from '../clients/key.client.js';
import type { RunClient } from '../clients/run.client.js';
import type { Config } from '../config.js';
import type { AuditActor, AuditRepository } from '../repositories/audit.repository.js';
import type { Views } from '../views.js';

/** Dependencies of the route modules. */
export interface RouteContext {
  config: Config;
  pool: pg.Pool;
  keys: KeyClient;
  runs: RunClient;
  views: Views;
  policy: SessionPolicy;
  sessions: SessionService;
  limiter: LoginRateLimiter;
  audit: AuditRepository;
}

/** The audit actor for a request: its signed-in admin, else anonymous. */
export function actorOf(request: FastifyRequest): AuditActor {
  const admin = request.session?.admin;
  return admin
    ? { kind: 'admin', id: admin.id, displayName: admin.displayName }
    : { kind: 'anonymous', id: '', displayName: '' };
}
