/**
 * Planned apply (DESIGN §6): transform the records into the feed tables, plan them against the directory
 * in bulk, store the plan, then hold the run (hold-policy.ts) or apply the plan, in the caller's
 * transaction. A run start-sync held is planned only: the plan is stored and the run stays held for its
 * reason (with the plan's own, if any), so the admin approves exactly this preview. A partial approval
 * applies the changes in its scope and opens a held follow-up run for the rest, in the same transaction.
 */
import type pg from 'pg';
import { approvalOf, holdDecision, plannedHold, reusedUsernameHold } from '../domain/hold-policy.js';
import { findReusedUsernames } from '../store/reused-usernames.repository.js';
import {
  CHANGE_ACTIONS,
  isPartial,
  openRemainderRun,
  type ApprovalScope,
  type RunRow,
  type RunSource,
} from '@usersync/run-state';
import { errorLine, noteLine } from '../domain/log-lines.js';
import {
  buildPlan,
  foreignRecords,
  keepBackOutsideScope,
  storePlan,
  summarizePlan,
  type PlanSummary,
} from '../store/plan.repository.js';
import { appliedByAction } from '../store/applied-check.repository.js';
import { applyPlan } from '../store/directory-apply.repository.js';
import {
  completeRun,
  holdRun,
  resultOf,
  transformRun,
  type ApplyDeps,
  type PreparedRun,
  type RunContext,
  type Transformed,
} from './run-skeleton.js';
import { publishPlanRequested } from './run-events.js';
import { timeFacts } from './time-facts.js';

/** Plans the prepared run, then holds or applies it. */
export async function plannedApply(
  client: pg.PoolClient,
  deps: ApplyDeps,
  run: PreparedRun,
  ctx: RunContext,
  opts: { planOnly: boolean },
): Promise<'complete' | 'held'> {
  const { input, settings } = run;
  const transformed = await transformRun(client, deps, run, ctx);
  const { stats } = transformed;
  const plan = await buildPlan(
    client,
    { updateAll: settings.updateAll, source: input.run.source },
    { inFeed: run.baseline.size, unchanged: stats.unchanged },
  );
  await reportForeignRecords(client, input.run.source, transformed);
  run.lap('plan');
  await ctx.checkpoint();

  const facts = {
    hasUsernameRule: run.controlFile.hasUsernameRule,
    validRecords: stats.validRecords,
    inFeed: plan.inFeed,
    blocks: plan.counts.blocked,
    time: await timeFacts(client, settings, deps.now?.() ?? new Date()),
  };
  const checked = holdDecision(facts, settings, approvalOf(input.run, input.previewDigest), plan.digest);
  // A reused username holds even an approved run: applying would give the old account to another person.
  const reused = reusedUsernameHold(
    settings.recycleStableKey,
    await findReusedUsernames(client, settings.recycleStableKey, input.run.approvedScope),
  );
  const planHold = reused ? plannedHold(reused, checked) : checked;
  if (opts.planOnly || planHold) {
    await storePlan(client, input.run.id);
    run.lap('storePlan');
    const heldFor = { reason: input.run.holdReason ?? 'auto_apply_off', detail: input.run.holdDetail ?? '' };
    const hold = opts.planOnly ? plannedHold(heldFor, planHold) : planHold!;
    return holdRun(client, ctx, resultOf(transformed, plan), hold);
  }

  // A partial approval applies the part in its scope; the rest is kept back for a follow-up run.
  const scope = input.run.approvedScope;
  const keptBack = isPartial(scope) ? await keepBackOutsideScope(client, scope) : 0;
  const applied =
    keptBack > 0 ? await summarizePlan(client, { inFeed: plan.inFeed, unchanged: stats.unchanged }) : plan;
  await storePlan(client, input.run.id);
  run.lap('storePlan');
  ctx.progress.begin('apply', 'records', stats.records);
  await applyPlan(client, input.run, settings.managedGroups, ctx.checkpoint);
  await verifyApplied(client, input.run.id, applied.counts);
  run.lap('apply');
  const result = resultOf(transformed, applied);
  if (keptBack > 0) result.preamble.push(noteLine(keptBackNote(keptBack, scope!), null));
  const outcome = await completeRun(client, deps, run, ctx, result);
  if (keptBack > 0) await openFollowUp(client, input.run, keptBack, ctx);
  return outcome;
}

/** Most ERROR lines one run writes for records that name another source's users (the count is exact). */
const FOREIGN_LINES = 1000;

/**
 * A record naming a user of another source is an error of that record: the user is left as it is (each user
 * belongs to one source), the run's errors count it, and its log names the user and the owning source.
 */
async function reportForeignRecords(client: pg.PoolClient, source: RunSource, t: Transformed): Promise<void> {
  const foreign = await foreignRecords(client, source, FOREIGN_LINES);
  if (foreign.count === 0) return;
  for (const { username, source: owner } of foreign.sample) {
    t.preamble.push(
      errorLine(`User ${username} belongs to the ${owner} source; this ${source} run leaves them unchanged`, username),
    );
  }
  if (foreign.count > foreign.sample.length) {
    const more = (foreign.count - foreign.sample.length).toLocaleString('en-US');
    t.preamble.push(errorLine(`${more} more records name users of another source and were left out`, null));
  }
  t.stats.failedRecords += foreign.count;
}

/** Fails the run (the transaction rolls back) when the directory does not show what the plan counted. */
async function verifyApplied(client: pg.PoolClient, runId: number, counts: PlanSummary['counts']): Promise<void> {
  const found = await appliedByAction(client, runId);
  const expected = {
    create: counts.created,
    update: counts.updated,
    reactivate: counts.reactivated,
    block: counts.blocked,
  };
  const wrong = Object.entries(expected).filter(([action, n]) => (found[action] ?? 0) !== n);
  if (wrong.length === 0) return;
  const what = wrong.map(([action, n]) => `${action}: planned ${n}, applied ${found[action] ?? 0}`).join('; ');
  throw new AppliedCountsMismatch(`the directory does not show what the plan counted (${what}); nothing was applied`);
}

/** The applier's writes do not add up to the plan: a bug or a concurrent writer; the run fails. */
export class AppliedCountsMismatch extends Error {}

/** The log line of a partial apply. */
function keptBackNote(keptBack: number, scope: ApprovalScope): string {
  const excluded = scope.excludedUsernames.length;
  const which = [
    scope.actions.length < CHANGE_ACTIONS.length ? `applied ${scope.actions.join(', ')} only` : '',
    excluded ? `left out ${excluded.toLocaleString('en-US')} named users` : '',
  ].filter(Boolean);
  return `Approved in part (${which.join('; ')}): ${keptBack.toLocaleString('en-US')} planned changes kept back for a follow-up run. Reason: ${scope.reason}`;
}

/** Opens the held follow-up run for what was kept back, and asks for its plan (sync.run.queued, plan only). */
async function openFollowUp(client: pg.PoolClient, run: RunRow, keptBack: number, ctx: RunContext): Promise<void> {
  const detail = `${keptBack.toLocaleString('en-US')} planned changes of run ${run.id} were kept back for a later decision`;
  const followUp = await openRemainderRun(client, run, detail);
  await publishPlanRequested(client, followUp);
  ctx.log.info({ followUp, keptBack }, 'partial approval: follow-up run opened for the rest');
}
