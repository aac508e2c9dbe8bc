/**
 * Direct first import: into a directory without any user every valid record is a create, so each chunk's
 * creates are COPYed straight into users, memberships, history, last records, the stored plan (unless an
 * approved preview's stays), the run's log lines and a slim row of the temp `plan` table while the engine
 * transforms the next chunk (store/direct-create.repository.ts), with the tables' secondary indexes dropped
 * for the load and built once after it;
 * the plan is then only counted and digested, and the run completes. Chosen only when no hold can fire
 * (domain/apply-strategy.ts); test/integration/direct-creates.test.ts checks that it leaves what the planned
 * apply leaves. An approved preview is verified here too: when the plan's digest differs, StalePreview rolls
 * the transaction back and the run is planned again, to be held (apply-run.ts).
 */
import type pg from 'pg';
import { clearRunPlan } from '@usersync/run-state';
import { approvalOf, hasPreviewToVerify, holdDecision, holdFor } from '../domain/hold-policy.js';
import { createPlanTable, summarizePlan } from '../store/plan.repository.js';
import { upsertManagedGroups } from '../store/directory-apply.repository.js';
import { startDirectImportLog } from './run-log-writer.js';
import { buildLoadIndexes, dropLoadIndexes, firstUserId, userIdsUsedUpTo } from '../store/direct-create.repository.js';
import {
  completeRun,
  resultOf,
  transformRun,
  type ApplyDeps,
  type PreparedRun,
  type RunContext,
} from './run-skeleton.js';

/** The approved preview is not what this run would now do (thrown inside the transaction: it rolls back). */
export class StalePreview extends Error {}

/** Imports the prepared run into the empty directory while transforming it. */
export async function directFirstImport(
  client: pg.PoolClient,
  deps: ApplyDeps,
  run: PreparedRun,
  ctx: RunContext,
): Promise<'complete'> {
  const runId = run.input.run.id;
  const approval = approvalOf(run.input.run, run.input.previewDigest);
  // An approved preview's stored plan is what this import writes, row for row, when the digests match
  // (direct-creates.test.ts): it stays, and a mismatch rolls everything back. Without one it is written.
  const storePlan = !hasPreviewToVerify(approval);
  // User ids are counted here from the sequence's next value (only this worker, under the apply lock, creates).
  // Log lines are COPYed as the records come, after START (seq 0); the run has no preamble (a username rule).
  const nextLogSeq = await startDirectImportLog(client, runId, ctx.start);
  const creates = { runId, nextId: await firstUserId(client), storePlan, nextLogSeq };
  await createPlanTable(client);
  await upsertManagedGroups(client, run.input.run.source, run.settings.managedGroups);
  if (storePlan) await clearRunPlan(client, runId);
  // The load maintains no secondary index; each is built once after it (store/direct-create.repository.ts).
  const indexes = await dropLoadIndexes(client);

  const transformed = await transformRun(client, deps, run, ctx, creates);
  await userIdsUsedUpTo(client, creates.nextId - 1);
  await buildLoadIndexes(client, indexes);
  run.lap('indexes');
  const { stats } = transformed;
  // The plan table holds the creates already; an empty directory has nothing to update or block.
  const plan = await summarizePlan(client, { inFeed: run.baseline.size, unchanged: stats.unchanged });
  run.lap('plan');
  await ctx.checkpoint();
  const facts = { hasUsernameRule: true, validRecords: stats.validRecords, inFeed: plan.inFeed, blocks: 0 };
  if (holdFor(facts, run.settings)) throw new Error('Logic error: a direct first import found a reason to hold');
  // With no reason of its own to hold, the hold decision holds only for a stale approved preview.
  if (holdDecision(facts, run.settings, approval, plan.digest)) {
    throw new StalePreview(`run ${runId}: the plan differs from the approved preview`);
  }
  run.lap('storePlan');

  ctx.progress.begin('apply', 'records', stats.records);
  run.lap('apply');
  return completeRun(client, deps, run, ctx, resultOf(transformed, plan), { nextSeq: creates.nextLogSeq });
}
