/**
 * What both apply strategies share (planned-apply.ts, direct-import.ts): the run's context (progress,
 * cancel checkpoint, phase timings), its preparation inside the apply transaction (settings, control file,
 * feed tables, baseline, transform fingerprint), the transform stage, and the two endings: held (plan
 * stored, run back to `ready`, sync.run.held) and applied (log, `complete`, fingerprint, events).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ObjectStore } from '@usersync/platform';
import { NO_USERNAME_RULE_MESSAGE, type ControlFile } from '@usersync/control-file';
import {
  isCancelRequested,
  loadRunForApply,
  loadSyncConfig,
  transitionRun,
  type ActionCountsRow,
  type RunForApply,
  type RunLogLine,
  type RunRow,
} from '@usersync/run-state';
import { applySettingsFrom, type ApplySettings } from '../domain/apply-settings.js';
import { transformFingerprint } from '../domain/transform-fingerprint.js';
import type { Hold } from '../domain/hold-policy.js';
import { errorLine } from '../domain/log-lines.js';
import type { BaselineIndex } from '../engine/baseline-index.js';
import { analyzeFeed, copyAbsentUsers, createFeedTables } from '../store/feed.repository.js';
import { loadBaseline } from '../store/baseline.repository.js';
import { lastTransformFingerprint, saveTransformFingerprint } from '../store/sync-state.repository.js';
import type { PlanSummary } from '../store/plan.repository.js';
import { dataFileBytes, startProgress, type ProgressReporter } from './progress-reporter.js';
import { dataFileSources, loadControlFile } from './control-input.js';
import {
  noRecords,
  transformBatch,
  transformIntoFeed,
  type FeedRules,
  type TransformStats,
} from './transform-stage.js';
import { writeAppliedLog, writeHeldLog } from './run-log-writer.js';
import { publishApplied, publishHeld } from './run-events.js';

/** What the worker needs. */
export interface ApplyDeps {
  pool: pg.Pool;
  objects: ObjectStore;
  log: Logger;
  /** Most sync.user.changed events one run publishes (see run-events.ts). */
  userEventCap?: number;
  /** Worker threads for the transform stage (see transformBatch): 0 (default) = on this thread; 'auto' = one per core. */
  transformThreads?: number | 'auto';
  /** Write a first import's creates straight into the directory (default true; see direct-import.ts). */
  directCreates?: boolean;
  /** Skip transforming records unchanged since the last completed run (default true; see transform-fingerprint.ts). */
  skipUnchanged?: boolean;
  /** The clock of the guards over time (rolling windows; default the system clock): tests move it. */
  now?: () => Date;
}

/** What a run is applied from: the run, its preview digest and files, and the stored sync configuration. */
export interface RunInput extends RunForApply {
  config: unknown;
}

/** Loads a run for the worker (schema runs, through run-state); NotFoundError when it does not exist. */
export async function loadRunInput(db: pg.Pool, runId: number): Promise<RunInput> {
  const run = await loadRunForApply(db, runId);
  return { ...run, config: (await loadSyncConfig(db)).config };
}

/** Thrown by the checkpoint when an admin cancelled the run: the transaction rolls back. */
export class RunCancelled extends Error {}

/** One run's context, for the whole of its processing. */
export interface RunContext {
  runId: number;
  start: Date;
  /** Milliseconds per phase, logged with the outcome (and in the bench). */
  timings: Record<string, number>;
  /** The transform stage's counts (logged with the outcome). */
  stats: TransformStats;
  progress: ProgressReporter;
  /** Throws RunCancelled when the run's cancel flag is set. */
  checkpoint: () => Promise<void>;
  log: Logger;
}

/** Starts the run's context (and its progress reporter). */
export function startRun(deps: ApplyDeps, runId: number, log: Logger): RunContext {
  return {
    runId,
    start: new Date(),
    timings: {},
    stats: noRecords(),
    progress: startProgress(deps.pool, runId, (err) => log.warn({ err }, 'progress write failed')),
    checkpoint: async () => {
      if (await isCancelRequested(deps.pool, runId)) throw new RunCancelled(`run ${runId} was cancelled`);
    },
    log,
  };
}

/** A run ready to transform, in the caller's transaction. */
export interface PreparedRun {
  input: RunInput;
  settings: ApplySettings;
  controlFile: ControlFile;
  baseline: BaselineIndex;
  fingerprint: string;
  skipUnchanged: boolean;
  /** Records the time since the last lap as `phase`. */
  lap: (phase: string) => void;
}

/** Settings, control file, feed tables, baseline and fingerprint. */
export async function prepareRun(
  client: pg.PoolClient,
  deps: ApplyDeps,
  input: RunInput,
  ctx: RunContext,
): Promise<PreparedRun> {
  await client.query(`SET LOCAL work_mem = '64MB'`);
  const settings = settingsForSource(applySettingsFrom(input.config), input.run);
  const { controlFile, digest } = await loadControlFile(deps.objects, input.files, settings.profileSchema);
  await createFeedTables(client);
  const lap = lapTimer(ctx.timings);
  // Bytes read of the data files' known sizes: an exact total before any record is read.
  ctx.progress.begin('transform', 'bytes', dataFileBytes(input.files, controlFile.fileNames));
  const baseline = await loadBaseline(client, input.run.source, settings.updateAll);
  // Records unchanged since the last completed run need no transform when nothing else that shapes a
  // desired state changed either (same fingerprint); force update re-applies everyone anyway.
  const fingerprint = transformFingerprint(digest, settings);
  const skipUnchanged =
    deps.skipUnchanged !== false &&
    !settings.updateAll &&
    (await lastTransformFingerprint(client, input.run.source)) === fingerprint;
  lap('baseline');
  return { input, settings, controlFile, baseline, fingerprint, skipUnchanged, lap };
}

/**
 * The settings a run of its source applies: a file run manages the configured groups; a SCIM run manages
 * the SCIM groups its batcher listed (runs.run.source_groups), so neither source's memberships touch the
 * other's groups.
 */
function settingsForSource(settings: ApplySettings, run: RunRow): ApplySettings {
  return run.source === 'file' ? settings : { ...settings, managedGroups: run.sourceGroups };
}

/** What the transform stage left: its counts and the run-level log lines after START. */
export interface Transformed {
  stats: TransformStats;
  preamble: RunLogLine[];
}

/**
 * Streams the records into the feed tables (and, for a direct first import, the creates into the
 * directory), then fills feed_absent with what is left of the baseline and analyses the feed.
 */
export async function transformRun(
  client: pg.PoolClient,
  deps: ApplyDeps,
  run: PreparedRun,
  ctx: RunContext,
  direct?: FeedRules['directCreatesFor'],
): Promise<Transformed> {
  const { controlFile, settings, baseline } = run;
  const preamble: RunLogLine[] = [];
  let stats = noRecords();
  if (controlFile.hasUsernameRule) {
    stats = await transformIntoFeed(
      client,
      transformBatch(controlFile, deps.transformThreads),
      ctx.progress.countBytes(dataFileSources(deps.objects, run.input.files)),
      {
        managedGroups: new Set(settings.managedGroups.map((g) => g.code)),
        baseline,
        blockInvalidRecords: settings.blockInvalidRecords,
        ...(direct ? { directCreatesFor: direct } : {}),
        skipUnchanged: run.skipUnchanged,
      },
      // The transform's progress is the bytes read (countBytes above), which has a total; records have none yet.
      { progress: () => undefined, checkpoint: ctx.checkpoint },
    );
  } else {
    // Haplo logs this and processes no record (hazard H1); the plan then blocks everyone, so it holds.
    preamble.push(errorLine(NO_USERNAME_RULE_MESSAGE, null));
  }
  // What is left of the baseline is every in-feed user the file did not name.
  await copyAbsentUsers(client, baseline.absent());
  run.lap('transform');
  Object.assign(ctx.stats, stats);
  ctx.progress.begin('plan', 'records', stats.records);
  await analyzeFeed(client);
  return { stats, preamble };
}

/** A planned (or counted) run's figures, as its ending records them. */
export interface RunResult extends Transformed {
  plan: PlanSummary;
  counts: ActionCountsRow;
  errorCount: number;
}

/** The result of a plan: counts with the record errors, and the ERROR lines plus preamble lines. */
export function resultOf(transformed: Transformed, plan: PlanSummary): RunResult {
  const { stats, preamble } = transformed;
  return {
    ...transformed,
    plan,
    counts: { ...plan.counts, errors: stats.failedRecords },
    errorCount: stats.errorLines + preamble.length,
  };
}

/** Holds the run: its log, back to `ready` with the reason and the plan's figures, sync.run.held. */
export async function holdRun(client: pg.PoolClient, ctx: RunContext, r: RunResult, hold: Hold): Promise<'held'> {
  const times = { start: ctx.start, end: new Date() };
  await writeHeldLog(client, ctx.runId, times, r.preamble, `${hold.reason}: ${hold.detail}`);
  await transitionRun(client, ctx.runId, 'hold', {
    holdReason: hold.reason,
    holdDetail: hold.detail,
    planCounts: r.counts,
    planDigest: r.plan.digest,
    // Held again: the next approval decides anew, on this plan.
    approvedBy: null,
    approvedScope: null,
    errorCount: r.errorCount,
  });
  await publishHeld(client, ctx.runId, hold, r.counts);
  ctx.log.info({ reason: hold.reason, detail: hold.detail }, 'run held');
  return 'held';
}

/**
 * Completes an applied run: its log (`logWritten`: a direct import's START and record lines are in),
 * `complete` with the counts, the fingerprint, the events.
 */
export async function completeRun(
  client: pg.PoolClient,
  deps: ApplyDeps,
  run: PreparedRun,
  ctx: RunContext,
  r: RunResult,
  logWritten?: { nextSeq: number },
): Promise<'complete'> {
  const times = { start: ctx.start, end: new Date() };
  await writeAppliedLog(client, ctx.runId, times, r.preamble, r.plan.counts, logWritten);
  run.lap('log');
  await ctx.checkpoint();
  // Guarded by status = 'running': an admin's cancel committed after the last checkpoint makes this throw
  // a ConflictError, and the whole transaction rolls back.
  const { counts, errorCount } = r;
  await transitionRun(client, ctx.runId, 'complete', {
    counts,
    planCounts: counts,
    planDigest: r.plan.digest,
    errorCount,
  });
  // Every in-feed user without the error flag now has the desired state this fingerprint gives its last record.
  await saveTransformFingerprint(client, run.input.run.source, run.fingerprint, ctx.runId);
  await publishApplied(client, ctx.runId, counts, errorCount, deps.userEventCap, ctx.log);
  run.lap('events');
  return 'complete';
}

function lapTimer(timings: Record<string, number>): (phase: string) => void {
  let last = Date.now();
  return (phase) => {
    const now = Date.now();
    timings[phase] = now - last;
    last = now;
  };
}
