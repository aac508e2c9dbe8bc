/**
 * An undo run (issue 18; run-state's run-undo.ts), in the caller's transaction under the apply lock: plan the
 * compensating changes from the directory's history of the undone run (store/undo-plan.repository.ts), store
 * the plan and who is left alone, then hold it (always, when only planning: an admin reviews every undo; and
 * by the normal checks when applied: the block threshold, and an approved preview applies only while its
 * digest matches) or apply it (store/undo-apply.repository.ts), log it, complete it and announce it.
 */
import type pg from 'pg';
import {
  appendRunLog,
  appendRunLogFrom,
  CHANGE_ACTIONS,
  clearRunLog,
  isPartial,
  storeUndoSkipped,
  transitionRun,
  type UndoSkipped,
} from '@usersync/run-state';
import { applySettingsFrom } from '../domain/apply-settings.js';
import { approvalOf, holdDecision, plannedHold, type Hold } from '../domain/hold-policy.js';
import { endLine, heldLine, noteLine, startLine } from '../domain/log-lines.js';
import { applyUndoPlan } from '../store/undo-apply.repository.js';
import {
  buildUndoPlan,
  countInFeed,
  keepBackUndoOutsideScope,
  storeUndoPlan,
  summarizeUndoPlan,
} from '../store/undo-plan.repository.js';
import { publishApplied, publishHeld } from './run-events.js';
import type { ApplyDeps, RunContext, RunInput } from './run-skeleton.js';

const num = (n: number) => n.toLocaleString('en-US');

/** Plans the undo run and holds or applies it. */
export async function processUndo(
  client: pg.PoolClient,
  deps: ApplyDeps,
  input: RunInput,
  ctx: RunContext,
  opts: { planOnly: boolean },
): Promise<'complete' | 'held'> {
  const { run } = input;
  const undoneRunId = run.undoOf!;
  ctx.progress.set('plan', 0);
  const skipped = await buildUndoPlan(client, undoneRunId, run.undoInclude);
  await storeUndoSkipped(client, run.id, skipped);
  const plan = await summarizeUndoPlan(client);
  const inFeed = await countInFeed(client);
  await ctx.checkpoint();

  const settings = applySettingsFrom(input.config);
  // The checks a feed run gets, as they apply to an undo: no file, so only the block threshold (undoing a
  // run's reactivations blocks those users again), and an approved preview must still be the plan.
  const facts = { hasUsernameRule: true, validRecords: 1, inFeed, blocks: plan.counts.blocked ?? 0 };
  const planHold = holdDecision(facts, settings, approvalOf(run, input.previewDigest), plan.digest);
  const preamble = [noteLine(undoSummary(undoneRunId, plan.counts, skipped), null)];
  if (opts.planOnly || planHold) {
    await storeUndoPlan(client, run.id);
    const heldFor: Hold = { reason: 'undo', detail: run.holdDetail ?? `restores what run ${undoneRunId} changed` };
    const hold = opts.planOnly ? plannedHold(heldFor, planHold) : planHold!;
    const times = { start: ctx.start, end: new Date() };
    await clearRunLog(client, run.id);
    const held = [startLine(times.start), ...preamble, heldLine(`${hold.reason}: ${hold.detail}`), endLine(times.end)];
    await appendRunLog(client, run.id, held, 0);
    await transitionRun(client, run.id, 'hold', {
      holdReason: hold.reason,
      holdDetail: hold.detail,
      planCounts: plan.counts,
      planDigest: plan.digest,
      approvedBy: null,
      approvedScope: null,
      errorCount: 0,
    });
    await publishHeld(client, run.id, hold, plan.counts);
    ctx.log.info({ undoneRunId, reason: hold.reason, counts: plan.counts }, 'undo run held');
    return 'held';
  }

  // A partial approval applies the part in its scope; the rest stays as it is, for a later undo of the run.
  const scope = run.approvedScope;
  const keptBack = isPartial(scope)
    ? await keepBackUndoOutsideScope(client, scope, scope.actions.length === CHANGE_ACTIONS.length)
    : 0;
  const applied = keptBack > 0 ? await summarizeUndoPlan(client) : plan;
  if (keptBack > 0) {
    preamble.push(
      noteLine(`Approved in part: ${num(keptBack)} changes kept back (undo run ${undoneRunId} again for them)`, null),
    );
  }
  await storeUndoPlan(client, run.id);
  ctx.progress.set('apply', 0);
  await applyUndoPlan(client, run.id, ctx.checkpoint);
  await writeUndoLog(client, run.id, { start: ctx.start, end: new Date() }, preamble);
  await ctx.checkpoint();
  await transitionRun(client, run.id, 'complete', {
    counts: applied.counts,
    planCounts: applied.counts,
    planDigest: applied.digest,
    errorCount: 0,
  });
  await publishApplied(client, run.id, applied.counts, 0, deps.userEventCap, ctx.log);
  ctx.log.info({ undoneRunId, counts: applied.counts, keptBack }, 'undo run applied');
  return 'complete';
}

/** The log's first line after START: what the undo does and who it leaves alone. */
function undoSummary(
  undone: number,
  c: { updated?: number; reactivated?: number; blocked?: number; deleted: number },
  skipped: UndoSkipped,
): string {
  const parts = [
    `deletes ${num(c.deleted)} users it created`,
    `restores ${num(c.updated ?? 0)}`,
    `reactivates ${num(c.reactivated ?? 0)}`,
    `blocks ${num(c.blocked ?? 0)}`,
  ];
  const left = skipped.count ? `; leaves ${num(skipped.count)} users alone that a later run changed again` : '';
  return `Undo of run ${undone}: ${parts.join(', ')}${left}`;
}

/** START, the summary, one line per user in username order, END. */
async function writeUndoLog(
  client: pg.ClientBase,
  runId: number,
  times: { start: Date; end: Date },
  preamble: ReturnType<typeof noteLine>[],
): Promise<void> {
  await clearRunLog(client, runId);
  let seq = await appendRunLog(client, runId, [startLine(times.start), ...preamble], 0);
  seq = await appendRunLogFrom(
    client,
    runId,
    seq,
    `SELECT username AS ord, 'info' AS level, username, 'undo ' || action || ' ' || username AS text FROM undo_plan`,
  );
  await appendRunLog(client, runId, [endLine(times.end)], seq);
}
