/**
 * sync.run.queued → process the run. Idempotent: a redelivery for a run that is no longer `running`
 * (finished, held, cancelled) is acked and ignored. Transient failures are retried (nak with backoff);
 * a run's own bad input is recorded as its failure and the message acked.
 */
import { decodeEvent } from '@usersync/contracts';
import { RetryableError, type MessageHandler } from '@usersync/platform';
import { isTransient } from '../domain/run-failure.js';
import { processRun, type ApplyDeps } from '../usecases/apply-run.js';

/** The handler for the apply-worker's durable consumer. */
export function runQueuedHandler(deps: ApplyDeps): MessageHandler {
  return async (msg, ctx) => {
    const event = decodeEvent('sync.run.queued', msg.data);
    const log = ctx.log.child({ runId: event.runId });
    try {
      const outcome = await processRun({ ...deps, log }, event.runId);
      log.info({ outcome }, 'sync.run.queued handled');
    } catch (err) {
      if (isTransient(err) && !(err instanceof RetryableError)) {
        throw new RetryableError('APPLY_TRANSIENT', 'a dependency failed while applying; will retry', { cause: err });
      }
      throw err;
    }
  };
}
