/**
 * `POST …/start-sync[/json|/xml]` (reference §1.5). The JSON and XML forms name the run and, for a
 * queued run, wait a little for the worker's decision (issue 16); the plain form answers Haplo's line at once.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RunRow, StoredActor } from '@usersync/run-state';
import type { StartSyncResult } from '../../usecases/start-sync.command.js';
import type { RunDecisionWait } from '../../usecases/await-run-decision.js';
import { renderStartSync, type StartSyncFormat } from '../../domain/start-sync.js';
import { runUrl } from './api-urls.js';
import { START_SYNC_ROUTES } from './upload-schemas.js';

export interface StartSyncRouteDeps {
  startSync: (actor: StoredActor) => Promise<StartSyncResult>;
  /** Throws a RetryableError when the broker is down (the queued event could not leave). */
  checkDependencies: () => Promise<void>;
  /** Waits (bounded) for the worker's decision on a queued run; ends early when `signal` aborts. */
  awaitDecision: (run: RunRow, signal: AbortSignal) => Promise<RunDecisionWait>;
}

/** An AbortSignal that fires when the client goes away before the answer is sent. */
function clientGone(reply: FastifyReply): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  reply.raw.once('close', onClose);
  return { signal: controller.signal, release: () => reply.raw.off('close', onClose) };
}

/** Registers the three start-sync routes in an API scope. */
export function registerStartSyncRoutes(app: FastifyInstance, deps: StartSyncRouteDeps): void {
  const prefix = app.prefix;
  const route = (path: string, format: StartSyncFormat) =>
    app.post(path, { schema: START_SYNC_ROUTES[format], attachValidation: true }, async (request, reply) => {
      await deps.checkDependencies();
      const result = await deps.startSync(request.actor!);
      // Haplo raises a health event for every outcome but ok; we log it for alerting.
      if (result.outcome === 'ok') request.log.info({ runId: result.run?.id }, 'sync queued');
      else request.log.warn({ runId: result.run?.id, outcome: result.outcome }, 'sync not started');
      let run = result.run;
      if (run && result.outcome === 'ok' && format !== 'plain') {
        const gone = clientGone(reply);
        try {
          const waited = await deps.awaitDecision(run, gone.signal);
          if (waited.error) request.log.warn({ err: waited.error, runId: run.id }, 'start-sync wait ended early');
          run = waited.run;
        } finally {
          gone.release();
        }
      }
      const response = renderStartSync(
        result.outcome,
        format,
        run ? { state: run, url: runUrl(request, prefix, run.id) } : undefined,
      );
      return reply.code(response.statusCode).type(response.contentType).send(response.body);
    });
  route('/start-sync', 'plain');
  route('/start-sync/json', 'json');
  route('/start-sync/xml', 'xml');
}
