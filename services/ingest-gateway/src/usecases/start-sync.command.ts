/**
 * start-sync (reference §1.5): the newest run, when ready, is either queued for the apply-worker or held
 * for an admin; the file check compares with the last applied run (H3). A held run is still sent to the
 * worker, to be planned only (issue 16): an admin never decides without the plan in front of them.
 */
import type { Pool, PoolClient } from 'pg';
import { withDatabase, withTransaction } from '@usersync/platform';
import {
  HOLD_REASON_TEXT,
  loadSyncConfig,
  transitionRun,
  type HoldReason,
  type RunRow,
  type StoredActor,
} from '@usersync/run-state';
import { safetyDetail, safetyHold } from '../domain/safety-check.js';
import type { StartSyncOutcome } from '../domain/start-sync.js';
import { enqueueRunQueued } from '../store/run-events.outbox.js';
import { recordAudit } from '../store/audit.repository.js';
import { listRunFiles } from '../store/run-files.repository.js';
import { findLastAppliedRun, lockNewestRun } from '../store/runs.repository.js';

export interface StartSyncResult {
  outcome: StartSyncOutcome;
  run?: RunRow;
}

async function hold(client: PoolClient, run: RunRow, reason: HoldReason, detail: string, actor: StoredActor) {
  const held = await transitionRun(client, run.id, 'hold', {
    holdReason: reason,
    holdDetail: detail,
    planDigest: null,
    planCounts: {},
  });
  // The worker plans it and announces sync.run.held with the plan's counts.
  await enqueueRunQueued(client, run.id, { planOnly: true });
  await recordAudit(client, {
    runId: run.id,
    action: 'hold',
    actor,
    detail: { holdReason: reason, holdDetail: detail },
  });
  return held;
}

async function startSyncIn(client: PoolClient, actor: StoredActor): Promise<StartSyncResult> {
  const newest = await lockNewestRun(client);
  // A held run already had its start signal: a second start-sync is Haplo's "not ready".
  if (!newest || newest.status !== 'ready') return { outcome: 'unready', run: newest };
  const { config } = await loadSyncConfig(client);
  if (!config.autoApply) {
    const run = await hold(client, newest, 'auto_apply_off', HOLD_REASON_TEXT.auto_apply_off, actor);
    return { outcome: 'disabled', run };
  }
  const files = await listRunFiles(client, newest.id);
  const lastApplied = await findLastAppliedRun(client);
  const previous = lastApplied ? await listRunFiles(client, lastApplied.id) : null;
  const reason = safetyHold(files, previous);
  if (reason) {
    const run = await hold(client, newest, reason, safetyDetail(files, previous), actor);
    return { outcome: 'unsafe', run };
  }
  const run = await transitionRun(client, newest.id, 'queue', { queuedBy: actor, holdReason: null, holdDetail: null });
  await enqueueRunQueued(client, run.id);
  await recordAudit(client, { runId: run.id, action: 'start_sync', actor });
  return { outcome: 'ok', run };
}

/** Runs start-sync in one transaction (the newest run is locked, so two calls cannot both queue it). */
export function startSync(pool: Pool, actor: StoredActor): Promise<StartSyncResult> {
  return withDatabase(() => withTransaction(pool, (client) => startSyncIn(client, actor)));
}
