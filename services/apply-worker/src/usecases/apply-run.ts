/**
 * One run, end to end (DESIGN §6): under the apply lock, in ONE transaction, prepare the run, choose its
 * strategy once (domain/apply-strategy.ts: planned apply, or direct first import), and let it transform,
 * plan and hold or apply, with the log, counts, status and outbox events. A run start-sync held is planned
 * only: its plan is stored and it stays held. A cancelled run rolls back; a bad input rolls back and fails
 * the run in a second transaction; a dependency hiccup is rethrown so the message is retried; a direct
 * import that finds the approved preview stale rolls back and is planned again, which holds it.
 */
import type pg from 'pg';
import { ConflictError, withTransaction } from '@usersync/platform';
import { isPartial, transitionRun } from '@usersync/run-state';
import { chooseStrategy, workFor, type RunWork } from '../domain/apply-strategy.js';
import { noteLine } from '../domain/log-lines.js';
import { describeFailure, isTransient } from '../domain/run-failure.js';
import { directoryIsEmpty } from '../store/direct-create.repository.js';
import { writeOutcomeLog } from './run-log-writer.js';
import { publishFailed } from './run-events.js';
import { directFirstImport, StalePreview } from './direct-import.js';
import { plannedApply } from './planned-apply.js';
import { processUndo } from './undo-run.js';
import {
  loadRunInput,
  prepareRun,
  RunCancelled,
  startRun,
  type ApplyDeps,
  type RunContext,
  type RunInput,
} from './run-skeleton.js';

export type { ApplyDeps } from './run-skeleton.js';

/** What became of a queued run. */
export type RunOutcome = 'ignored' | 'complete' | 'held' | 'failed' | 'cancelled';

/** The advisory lock key that serialises applies across replicas ('usersync-apply' folded into int8). */
export const APPLY_LOCK_KEY = '7585087275116500337';

/** Processes run `runId` if it is still `running`; idempotent under redelivery. */
export async function processRun(deps: ApplyDeps, runId: number): Promise<RunOutcome> {
  const lock = await deps.pool.connect();
  let broken: Error | undefined;
  try {
    await lock.query('SELECT pg_advisory_lock($1::bigint)', [APPLY_LOCK_KEY]);
    try {
      return await processLocked(deps, runId);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1::bigint)', [APPLY_LOCK_KEY]).catch((err: Error) => {
        broken = err;
      });
    }
  } finally {
    lock.release(broken);
  }
}

async function processLocked(deps: ApplyDeps, runId: number): Promise<RunOutcome> {
  const log = deps.log.child({ runId });
  const input = await loadRunInput(deps.pool, runId);
  const work = workFor(input.run);
  if (work === 'none') {
    log.info({ status: input.run.status, hasPlan: input.run.hasPlan }, 'run is not to be applied or planned');
    return 'ignored';
  }
  const ctx = startRun(deps, runId, log);
  const { start, timings, stats, progress } = ctx;
  try {
    const attempt = (previewFoundStale: boolean) =>
      withTransaction(deps.pool, (client) => applyRun(client, deps, input, ctx, { work, previewFoundStale }));
    const outcome = await attempt(false).catch((err: unknown) => {
      if (!(err instanceof StalePreview)) throw err;
      log.info('the approved preview is stale: planning the run again to hold it');
      return attempt(true);
    });
    await progress.finish(outcome);
    log.info({ outcome, durationMs: Date.now() - start.getTime(), timings, stats }, 'run processed');
    return outcome;
  } catch (err) {
    if (err instanceof RunCancelled || (err instanceof ConflictError && err.code === 'RUN_BAD_STATE')) {
      await withTransaction(deps.pool, (client) =>
        writeOutcomeLog(client, runId, { start, end: new Date() }, [
          noteLine('Cancelled while running (Unsafe mark cancelled): rolled back, nothing was applied', null),
        ]),
      );
      await progress.finish('cancelled');
      log.warn('run cancelled while running: rolled back');
      return 'cancelled';
    }
    if (isTransient(err)) {
      await progress.finish('waiting');
      throw err;
    }
    const { message, lines } = describeFailure(err);
    log.warn({ err }, 'run failed');
    const failed = await withTransaction(deps.pool, async (client) => {
      try {
        await transitionRun(client, runId, 'fail', { failureMessage: message, errorCount: 1 });
      } catch (conflict) {
        if (conflict instanceof ConflictError) return false;
        throw conflict;
      }
      await writeOutcomeLog(client, runId, { start, end: new Date() }, lines);
      await publishFailed(client, runId, message);
      return true;
    });
    await progress.finish(failed ? 'failed' : 'cancelled');
    return failed ? 'failed' : 'cancelled';
  }
}

/** Prepares the run, chooses its strategy once, and runs it in the caller's transaction. */
async function applyRun(
  client: pg.PoolClient,
  deps: ApplyDeps,
  input: RunInput,
  ctx: RunContext,
  how: { work: Exclude<RunWork, 'none'>; previewFoundStale: boolean },
): Promise<'complete' | 'held'> {
  // An undo run has no files: it is planned from the directory's history of the run it undoes.
  if (input.run.undoOf !== null) return processUndo(client, deps, input, ctx, { planOnly: how.work === 'plan-only' });
  const run = await prepareRun(client, deps, input, ctx);
  const planOnly = how.work === 'plan-only';
  const strategy = chooseStrategy({
    directoryEmpty: run.baseline.size === 0 && (await directoryIsEmpty(client)),
    hasUsernameRule: run.controlFile.hasUsernameRule,
    // Direct creates write file users (the COPY leaves `source` at its default): a SCIM run is planned.
    directCreatesEnabled: deps.directCreates !== false && input.run.source === 'file',
    planOnly,
    previewFoundStale: how.previewFoundStale,
    partialApproval: isPartial(input.run.approvedScope),
  });
  ctx.log.debug({ strategy, planOnly }, 'apply strategy');
  return strategy === 'direct-first-import'
    ? directFirstImport(client, deps, run, ctx)
    : plannedApply(client, deps, run, ctx, { planOnly });
}
