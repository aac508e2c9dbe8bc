/**
 * Finding the run an upload lands in (Haplo's "find or create sync group", reference §1.3), with
 * our one change: a held run is superseded when the configuration allows it.
 */
import type { PoolClient } from 'pg';
import { ValidationError } from '@usersync/platform';
import { isHeld, transitionRun, type RunRow, type StoredActor } from '@usersync/run-state';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import { HaploMessages, IngestCodes } from '../domain/messages.js';
import { enqueueRunCancelled } from '../store/run-events.outbox.js';
import { recordAudit } from '../store/audit.repository.js';
import { findCurrentControlFile } from '../store/control-files.repository.js';
import { putRunFile } from '../store/run-files.repository.js';
import { insertRun, lockOpenRun, nextRunId } from '../store/runs.repository.js';

/**
 * Creates a run that inherits the current control file as a replaceable `_control`, so a run is
 * complete without a new control file (reference §1.3).
 */
export async function createInheritingRun(client: PoolClient, id?: number): Promise<RunRow> {
  const current = await findCurrentControlFile(client);
  const run = await insertRun(client, { id, expectedFiles: current?.expectedFiles ?? [] });
  if (current) {
    await putRunFile(client, {
      runId: run.id,
      name: '_control',
      digest: current.digest,
      size: current.size,
      filename: current.filename,
      replaceable: true,
      uploadedBy: current.uploadedBy,
    });
  }
  return run;
}

/** Cancels a held run in favour of the run about to be created, and announces it. */
async function supersede(client: PoolClient, held: RunRow, actor: StoredActor): Promise<number> {
  const newId = await nextRunId(client);
  const reason = `superseded by run ${newId}`;
  await transitionRun(client, held.id, 'cancel', { cancelledBy: SYSTEM_ACTOR, cancelReason: reason });
  await enqueueRunCancelled(client, held.id, { actor: SYSTEM_ACTOR, whileRunning: false, reason });
  await recordAudit(client, { runId: held.id, action: 'supersede', actor, detail: { supersededBy: newId } });
  return newId;
}

/** What an upload finds: the open run it may land in, or the reason it may not. */
export type UploadTarget =
  { kind: 'open'; run: RunRow } | { kind: 'new'; supersedes?: RunRow } | { kind: 'refused'; run: RunRow };

/** Classifies the open run for an upload (no writes): used by the pre-check and by the transaction. */
export function classifyOpenRun(open: RunRow | undefined, supersedeHeldRuns: boolean): UploadTarget {
  if (!open) return { kind: 'new' };
  if (open.status === 'uploading') return { kind: 'open', run: open };
  if (isHeld(open) && supersedeHeldRuns) return { kind: 'new', supersedes: open };
  return { kind: 'refused', run: open };
}

/** The 400 for an open run that accepts no upload (ready and not held, running, or held without supersede). */
export function unexpectedState(): ValidationError {
  return new ValidationError(IngestCodes.unexpectedState, HaploMessages.unexpectedState);
}

/**
 * Locks the open run and returns the run the upload goes into, creating (and superseding) as
 * needed. `refused` runs are returned for the caller's identical-re-upload check before it refuses.
 */
export async function resolveUploadRun(
  client: PoolClient,
  opts: { supersedeHeldRuns: boolean; actor: StoredActor },
): Promise<{ run: RunRow; created: boolean } | { refused: RunRow }> {
  const target = classifyOpenRun(await lockOpenRun(client), opts.supersedeHeldRuns);
  if (target.kind === 'open') return { run: target.run, created: false };
  if (target.kind === 'refused') return { refused: target.run };
  const id = target.supersedes ? await supersede(client, target.supersedes, opts.actor) : undefined;
  return { run: await createInheritingRun(client, id), created: true };
}
