/**
 * One run, end to end (DESIGN §6): under the apply lock, stream and transform the files into the
 * transaction's feed tables, plan in bulk, then either hold the run (plan stored, run back to `ready`,
 * sync.run.held) or apply the plan; all of it in ONE transaction with the log, counts, status and
 * outbox events. A cancelled run rolls back; a bad input rolls back and fails the run in a second
 * transaction; a dependency hiccup is rethrown so the message is retried.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { ConflictError, withTransaction, type ObjectStore } from '@usersync/platform';
import { NO_USERNAME_RULE_MESSAGE } from '@usersync/control-file';
import { clearRunPlan, isCancelRequested, transitionRun, type RunLogLine } from '@usersync/run-state';
import { applySettingsFrom } from '../domain/apply-settings.js';
import { transformFingerprint } from '../domain/transform-fingerprint.js';
import { holdFor, STALE_PLAN_DETAIL, type Hold } from '../domain/hold-policy.js';
import { errorLine, noteLine } from '../domain/log-lines.js';
import { describeFailure, isTransient } from '../domain/run-failure.js';
import { analyzeFeed, copyAbsentUsers, createFeedTables } from '../store/feed.repository.js';
import { loadBaseline } from '../store/baseline.repository.js';
import { lastTransformFingerprint, saveTransformFingerprint } from '../store/sync-state.repository.js';
import { buildPlan, createPlanTable, storePlan, summarizePlan } from '../store/plan.repository.js';
import { applyPlan, upsertManagedGroups } from '../store/directory-apply.repository.js';
import { firstUserId, userIdsUsedUpTo } from '../store/direct-create.repository.js';
import { loadRunInput, type RunInput } from '../store/run-input.repository.js';
import { startProgress, type ProgressReporter } from '../store/progress.repository.js';
import { dataFileSources, loadControlFile } from './control-input.js';
import { noRecords, transformBatch, transformIntoFeed, type TransformStats } from './transform-stage.js';
import { writeAppliedLog, writeHeldLog, writeOutcomeLog } from './run-log-writer.js';
import { publishApplied, publishFailed, publishHeld } from './run-events.js';

/** What the worker needs. */
export interface ApplyDeps {
  pool: pg.Pool;
  objects: ObjectStore;
  log: Logger;
  /** Most sync.user.changed events one run publishes (see run-events.ts). */
  userEventCap?: number;
  /** Worker threads for the transform stage (see transformBatch): 0 (default) = on this thread; 'auto' = one per core. */
  transformThreads?: number | 'auto';
  /** Write a first import's creates straight into the directory (default true; see direct-create.repository.ts). */
  directCreates?: boolean;
  /** Skip transforming records unchanged since the last completed run (default true; see transform-fingerprint.ts). */
  skipUnchanged?: boolean;
}

/** What became of a queued run. */
export type RunOutcome = 'ignored' | 'complete' | 'held' | 'failed' | 'cancelled';

/** The advisory lock key that serialises applies across replicas ('usersync-apply' folded into int8). */
export const APPLY_LOCK_KEY = '7585087275116500337';

class RunCancelled extends Error {}

/** A pass that wrote creates directly found the run must be held: rolled back, the run is planned again. */
class HoldNeeded extends Error {}

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
  if (input.run.status !== 'running') {
    log.info({ status: input.run.status }, 'run is not running: nothing to do');
    return 'ignored';
  }
  const progress = startProgress(deps.pool, runId, (err) => log.warn({ err }, 'progress write failed'));
  const start = new Date();
  const timings: Record<string, number> = {};
  const stats = noRecords();
  const checkpoint = async () => {
    if (await isCancelRequested(deps.pool, runId)) throw new RunCancelled(`run ${runId} was cancelled`);
  };
  try {
    const ctx = { start, timings, stats, progress, checkpoint, log };
    let outcome: 'complete' | 'held';
    try {
      outcome = await withTransaction(deps.pool, (client) => planAndApply(client, deps, input, ctx, true));
    } catch (err) {
      if (!(err instanceof HoldNeeded)) throw err;
      log.info('a direct first import must be held: planning it again before holding');
      outcome = await withTransaction(deps.pool, (client) => planAndApply(client, deps, input, ctx, false));
    }
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

interface RunContext {
  start: Date;
  /** Milliseconds per phase, logged with the outcome (and in the bench). */
  timings: Record<string, number>;
  /** The transform stage's counts of the last pass (logged with the outcome). */
  stats: TransformStats;
  progress: ProgressReporter;
  checkpoint: () => Promise<void>;
  log: Logger;
}

/**
 * One pass over the run in the caller's transaction. With `allowDirect`, a run into a directory without
 * any user writes its creates straight into the directory while transforming (every valid record is a
 * create there); should that run turn out to need holding, HoldNeeded rolls it back and the caller runs
 * the pass again without it, which stores the plan and holds. Held first imports are rare and pay a
 * second transform; the others save the planned path's INSERT … SELECT of every table.
 */
async function planAndApply(
  client: pg.PoolClient,
  deps: ApplyDeps,
  input: RunInput,
  ctx: RunContext,
  allowDirect: boolean,
): Promise<'complete' | 'held'> {
  const runId = input.run.id;
  await client.query(`SET LOCAL work_mem = '64MB'`);
  const settings = applySettingsFrom(input.config);
  const { controlFile, digest: controlDigest } = await loadControlFile(
    deps.objects,
    input.files,
    settings.profileSchema,
  );
  await createFeedTables(client);

  const lap = lapTimer(ctx.timings);
  ctx.progress.set('transform', 0);
  const preamble: RunLogLine[] = [];
  const baseline = await loadBaseline(client, settings.updateAll);
  const inFeed = baseline.size;
  const direct =
    allowDirect &&
    deps.directCreates !== false &&
    controlFile.hasUsernameRule &&
    inFeed === 0 &&
    (await directoryIsEmpty(client));
  const directCreates = direct ? { runId, nextId: await firstUserId(client) } : undefined;
  if (direct) {
    await createPlanTable(client);
    await upsertManagedGroups(client, settings.managedGroups);
    await clearRunPlan(client, runId);
  }
  // Records unchanged since the last completed run need no transform when nothing else that shapes a
  // desired state changed either (same fingerprint); force update re-applies everyone anyway.
  const fingerprint = transformFingerprint(controlDigest, settings);
  const skipUnchanged =
    deps.skipUnchanged !== false && !settings.updateAll && (await lastTransformFingerprint(client)) === fingerprint;
  lap('baseline');
  let stats: TransformStats = noRecords();
  if (controlFile.hasUsernameRule) {
    stats = await transformIntoFeed(
      client,
      transformBatch(controlFile, deps.transformThreads),
      dataFileSources(deps.objects, input.files),
      {
        managedGroups: new Set(settings.managedGroups.map((g) => g.code)),
        baseline,
        blockInvalidRecords: settings.blockInvalidRecords,
        ...(directCreates ? { directCreatesFor: directCreates } : {}),
        skipUnchanged,
      },
      { progress: (n) => ctx.progress.set('transform', n), checkpoint: ctx.checkpoint },
    );
  } else {
    // Haplo logs this and processes no record (hazard H1); the plan then blocks everyone, so it holds.
    preamble.push(errorLine(NO_USERNAME_RULE_MESSAGE, null));
  }
  if (directCreates) await userIdsUsedUpTo(client, directCreates.nextId - 1);
  // What is left of the baseline is every in-feed user the file did not name.
  await copyAbsentUsers(client, baseline.absent());
  lap('transform');
  Object.assign(ctx.stats, stats);
  ctx.progress.set('plan', stats.records);
  await analyzeFeed(client);
  // Direct: the plan table holds the creates already; an empty directory has nothing to update or block.
  const facts = { inFeed, unchanged: stats.unchanged };
  const plan = direct ? await summarizePlan(client, facts) : await buildPlan(client, settings, facts);
  lap('plan');
  await ctx.checkpoint();

  const hold = decideHold(
    input,
    plan.digest,
    {
      hasUsernameRule: controlFile.hasUsernameRule,
      validRecords: stats.validRecords,
      inFeed: plan.inFeed,
      blocks: plan.counts.blocked,
    },
    settings,
  );
  if (hold && direct) throw new HoldNeeded();
  const counts = { ...plan.counts, errors: stats.failedRecords };
  const errorCount = stats.errorLines + preamble.length;
  if (!direct) await storePlan(client, runId);
  lap('storePlan');

  if (hold) {
    const times = { start: ctx.start, end: new Date() };
    await writeHeldLog(client, runId, times, preamble, `${hold.reason}: ${hold.detail}`);
    await transitionRun(client, runId, 'hold', {
      holdReason: hold.reason,
      holdDetail: hold.detail,
      planCounts: counts,
      planDigest: plan.digest,
      approvedBy: null,
      errorCount,
    });
    await publishHeld(client, runId, hold, counts);
    ctx.log.info({ reason: hold.reason, detail: hold.detail }, 'run held');
    return 'held';
  }

  ctx.progress.set('apply', stats.records);
  if (!direct) await applyPlan(client, runId, settings.managedGroups, ctx.checkpoint);
  lap('apply');
  await writeAppliedLog(client, runId, { start: ctx.start, end: new Date() }, preamble, plan.counts);
  lap('log');
  await ctx.checkpoint();
  // Guarded by status = 'running': an admin's cancel committed after the last checkpoint makes this throw
  // a ConflictError, and the whole transaction rolls back.
  await transitionRun(client, runId, 'complete', { counts, planCounts: counts, planDigest: plan.digest, errorCount });
  // Every in-feed user without the error flag now has the desired state this fingerprint gives its last record.
  await saveTransformFingerprint(client, fingerprint, runId);
  await publishApplied(client, runId, counts, errorCount, deps.userEventCap, ctx.log);
  lap('events');
  return 'complete';
}

/** True when the directory has no user at all (not even blocked or unmanaged ones). */
async function directoryIsEmpty(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ empty: boolean }>(
    'SELECT NOT EXISTS (SELECT 1 FROM directory."user") AS empty',
  );
  return rows[0]!.empty;
}

function lapTimer(timings: Record<string, number>): (phase: string) => void {
  let last = Date.now();
  return (phase) => {
    const now = Date.now();
    timings[phase] = now - last;
    last = now;
  };
}

/**
 * The hold decision. An admin's approval applies exactly the plan they previewed: when the preview's
 * digest matches, thresholds are bypassed; when the directory moved since, the run is held again.
 * An approval without a stored preview (held before planning, e.g. auto-apply off) still gets the
 * safety checks, so nobody approves a mass block they never saw.
 */
function decideHold(
  input: RunInput,
  digest: string,
  facts: Parameters<typeof holdFor>[0],
  settings: Parameters<typeof holdFor>[1],
): Hold | undefined {
  const hold = holdFor(facts, settings);
  if (input.run.approvedBy && input.previewDigest) {
    if (input.previewDigest === digest) return undefined;
    return {
      reason: hold?.reason ?? input.run.holdReason ?? 'block_threshold',
      detail: hold ? `${STALE_PLAN_DETAIL}; ${hold.detail}` : STALE_PLAN_DETAIL,
    };
  }
  return hold;
}
