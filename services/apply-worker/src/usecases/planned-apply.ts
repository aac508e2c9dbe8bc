/**
 * Planned apply (DESIGN §6): transform the records into the feed tables, plan them against the directory
 * in bulk, store the plan, then hold the run (hold-policy.ts) or apply the plan, in the caller's
 * transaction. A run start-sync held is planned only: the plan is stored and the run stays held for its
 * reason (with the plan's own, if any), so the admin approves exactly this preview.
 */
import type pg from 'pg';
import { holdDecision, plannedHold } from '../domain/hold-policy.js';
import { buildPlan, storePlan } from '../store/plan.repository.js';
import { applyPlan } from '../store/directory-apply.repository.js';
import {
  completeRun,
  holdRun,
  resultOf,
  transformRun,
  type ApplyDeps,
  type PreparedRun,
  type RunContext,
} from './run-skeleton.js';

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
  const plan = await buildPlan(client, settings, { inFeed: run.baseline.size, unchanged: stats.unchanged });
  run.lap('plan');
  await ctx.checkpoint();

  const facts = {
    hasUsernameRule: run.controlFile.hasUsernameRule,
    validRecords: stats.validRecords,
    inFeed: plan.inFeed,
    blocks: plan.counts.blocked,
  };
  const approval = {
    approved: input.run.approvedBy !== null,
    previewDigest: input.previewDigest,
    heldFor: input.run.holdReason,
  };
  const planHold = holdDecision(facts, settings, approval, plan.digest);
  const result = resultOf(transformed, plan);
  await storePlan(client, input.run.id);
  run.lap('storePlan');
  if (opts.planOnly) {
    const heldFor = { reason: input.run.holdReason ?? 'auto_apply_off', detail: input.run.holdDetail ?? '' };
    return holdRun(client, ctx, result, plannedHold(heldFor, planHold));
  }
  if (planHold) return holdRun(client, ctx, result, planHold);

  ctx.progress.set('apply', stats.records);
  await applyPlan(client, input.run.id, settings.managedGroups, ctx.checkpoint);
  run.lap('apply');
  return completeRun(client, deps, run, ctx, result);
}
