/**
 * The SCIM batcher: SCIM requests change the SCIM source's desired state at once (schema `scim`), and this
 * carries the changes to the directory through runs of the `scim` source, one per window at most. Every
 * window with changes it snapshots the active SCIM users (domain/scim-snapshot.ts) and opens a ready run
 * with the built-in control file, queued for the worker like a start-sync'd upload (held for an admin when
 * automatic applies are off). The worker's plan holds then apply as for a file feed: a deprovisioning IdP
 * is held by the block limits, per run and per rolling window.
 *
 * While a run of the SCIM source is open (queued, running, or held for an admin) the batcher waits and the
 * changes wait with it: an admin decides on the snapshot in front of them, and the next window carries
 * what arrived meanwhile. A cancelled SCIM run is followed by the next window with changes.
 */
import { Readable } from 'node:stream';
import type pg from 'pg';
import type { Logger } from 'pino';
import { withTransaction, type ObjectStore } from '@usersync/platform';
import { HOLD_REASON_TEXT, loadSyncConfig, transitionRun } from '@usersync/run-state';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import { SCIM_CONTROL_BYTES, SCIM_USERS_FILE, scimGroupCode, snapshotRecord } from '../domain/scim-snapshot.js';
import { recordAudit } from '../store/audit.repository.js';
import { findCurrentControlFile } from '../store/control-files.repository.js';
import { enqueueRunQueued } from '../store/run-events.outbox.js';
import { putRunFile } from '../store/run-files.repository.js';
import { insertRun, lockOpenRun } from '../store/runs.repository.js';
import {
  activeScimUsersPage,
  allScimGroups,
  recordScimBatch,
  scimChangesWaiting,
  takeScimChanges,
} from '../store/scim-snapshot.repository.js';

/** What one look at the SCIM source did. */
export type ScimBatch =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'waiting'; runId: number }
  | { kind: 'opened'; runId: number; changes: number; held: boolean };

export interface ScimBatcherDeps {
  pool: pg.Pool;
  objects: ObjectStore;
  log: Logger;
}

/** Serialises batchers across gateway replicas ('usersync-scim-batch' folded into int8). */
const BATCH_LOCK_KEY = '7585087275116500338';
const PAGE = 2_000;

/** The snapshot's JSON text: an array of snapshot records, read page by page in the batch's transaction. */
async function* snapshotJson(tx: pg.PoolClient): AsyncGenerator<Buffer> {
  yield Buffer.from('[');
  let after: string | null = null;
  let first = true;
  for (;;) {
    const page = await activeScimUsersPage(tx, after, PAGE);
    if (page.length === 0) break;
    const parts = page.map((u) => JSON.stringify(snapshotRecord(u, u.groupIds)));
    yield Buffer.from(`${first ? '\n' : ',\n'}${parts.join(',\n')}`);
    first = false;
    after = page[page.length - 1]!.id;
  }
  yield Buffer.from('\n]\n');
}

/** Looks once: when changes wait and no SCIM run is open, opens the run that carries them. */
export async function batchScimChanges(deps: ScimBatcherDeps): Promise<ScimBatch> {
  if (!(await scimChangesWaiting(deps.pool))) return { kind: 'idle' };
  try {
    return await withTransaction(deps.pool, async (tx) => {
      // One moment for the snapshot and the change rows it takes (store/scim-snapshot.repository.ts).
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const { rows } = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [
        BATCH_LOCK_KEY,
      ]);
      if (!rows[0]!.ok) return { kind: 'busy' };
      const open = await lockOpenRun(tx, 'scim');
      if (open) return { kind: 'waiting', runId: open.id };
      const taken = await takeScimChanges(tx);
      if (taken.count === 0) return { kind: 'idle' };
      return openScimRun(tx, deps, taken);
    });
  } catch (err) {
    // A run of the source changed under our snapshot (the worker finished it): the next window tries again.
    if ((err as { code?: string }).code === '40001') return { kind: 'busy' };
    throw err;
  }
}

async function openScimRun(
  tx: pg.PoolClient,
  deps: ScimBatcherDeps,
  taken: { count: number; lastAt: Date | null },
): Promise<ScimBatch> {
  const groups = await allScimGroups(tx);
  // The admin's SCIM control file when there is one (it maps custom attributes), else the built-in one.
  const custom = await findCurrentControlFile(tx, 'scim');
  const control = custom ?? (await deps.objects.putStream(Readable.from([SCIM_CONTROL_BYTES])));
  const users = await deps.objects.putStream(Readable.from(snapshotJson(tx)));
  const run = await insertRun(tx, {
    source: 'scim',
    status: 'ready',
    expectedFiles: ['_control', SCIM_USERS_FILE],
    sourceGroups: groups.map((g) => ({ code: scimGroupCode(g.id), name: g.displayName })),
  });
  const file = { runId: run.id, replaceable: false, uploadedBy: SYSTEM_ACTOR };
  const controlFile = { digest: control.digest, size: control.size, filename: custom?.filename ?? 'scim-control.json' };
  await putRunFile(tx, { ...file, name: '_control', ...controlFile });
  await putRunFile(tx, { ...file, name: SCIM_USERS_FILE, ...users, filename: 'scim-users.json' });
  const { config } = await loadSyncConfig(tx);
  const detail = { changes: taken.count, users: users.size, groups: groups.length };
  if (config.autoApply) {
    await transitionRun(tx, run.id, 'queue', { queuedBy: SYSTEM_ACTOR });
    await enqueueRunQueued(tx, run.id);
    await recordAudit(tx, { runId: run.id, action: 'scim_batch', actor: SYSTEM_ACTOR, detail });
  } else {
    const hold = { holdReason: 'auto_apply_off' as const, holdDetail: HOLD_REASON_TEXT.auto_apply_off };
    await transitionRun(tx, run.id, 'hold', { ...hold, planDigest: null, planCounts: {} });
    await enqueueRunQueued(tx, run.id, { planOnly: true });
    await recordAudit(tx, {
      runId: run.id,
      action: 'scim_batch',
      actor: SYSTEM_ACTOR,
      detail: { ...detail, held: true },
    });
  }
  await recordScimBatch(tx, run.id, taken.lastAt);
  deps.log.info({ runId: run.id, ...detail, held: !config.autoApply }, 'SCIM changes batched into a run');
  return { kind: 'opened', runId: run.id, changes: taken.count, held: !config.autoApply };
}

/** Looks every `windowMs`; stop() ends the loop and waits for a batch in progress. */
export function startScimBatcher(deps: ScimBatcherDeps, windowMs: number): { stop: () => Promise<void> } {
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    current = batchScimChanges(deps)
      .catch((err: unknown) => deps.log.warn({ err }, 'SCIM batch failed; the next window tries again'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, windowMs);
      });
  };
  let timer = setTimeout(tick, windowMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
