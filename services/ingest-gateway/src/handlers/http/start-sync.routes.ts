/** `POST …/start-sync[/json|/xml]` (reference §1.5). */
import type { FastifyInstance } from 'fastify';
import type { StoredActor } from '@usersync/run-state';
import type { StartSyncResult } from '../../usecases/start-sync.command.js';
import { renderStartSync, type StartSyncFormat } from '../../domain/start-sync.js';

export interface StartSyncRouteDeps {
  startSync: (actor: StoredActor) => Promise<StartSyncResult>;
  /** Throws a RetryableError when the broker is down (the queued event could not leave). */
  checkDependencies: () => Promise<void>;
}

/** Registers the three start-sync routes in an API scope. */
export function registerStartSyncRoutes(app: FastifyInstance, deps: StartSyncRouteDeps): void {
  const route = (path: string, format: StartSyncFormat) =>
    app.post(path, async (request, reply) => {
      await deps.checkDependencies();
      const result = await deps.startSync(request.actor!);
      // Haplo raises a health event for every outcome but ok; we log it for alerting.
      if (result.outcome === 'ok') request.log.info({ runId: result.run?.id }, 'sync queued');
      else request.log.warn({ runId: result.run?.id, outcome: result.outcome }, 'sync not started');
      const response = renderStartSync(result.outcome, format);
      return reply.code(response.statusCode).type(response.contentType).send(response.body);
    });
  route('/start-sync', 'plain');
  route('/start-sync/json', 'json');
  route('/start-sync/xml', 'xml');
}
