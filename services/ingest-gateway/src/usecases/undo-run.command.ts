/**
 * Undo a run (issue 18): opens the compensating run of a complete run, held for `undo`, and asks the apply
 * worker for its plan (sync.run.queued, plan only), so an admin always decides on a preview. Asking again
 * while that undo is still held (to include users a later run changed) replaces it: the held undo is
 * cancelled and a new one opened, in one transaction. See run-state's run-undo.ts.
 */
import type { Pool } from 'pg';
import { ConflictError, isUniqueViolation, ValidationError, withDatabase, withTransaction } from '@usersync/platform';
import {
  getRun,
  isUndoRun,
  liveUndosOf,
  MAX_UNDO_INCLUDE,
  openUndoRun,
  transitionRun,
  type RunRow,
  type StoredActor,
} from '@usersync/run-state';
import { IngestCodes } from '../domain/messages.js';
import { recordAudit } from '../store/audit.repository.js';
import { enqueueRunCancelled, enqueueRunQueued } from '../store/run-events.outbox.js';
import { findOpenRun, lockOpenRun } from '../store/runs.repository.js';

/** What an admin asks for. */
export interface UndoRequest {
  runId: number;
  actor: StoredActor;
  /** Users changed again by a later run to restore all the same. */
  includeUsernames: readonly string[];
  reason: string;
}

/** The include list, checked: trimmed, lower-cased (usernames are), unique, bounded. */
export function undoIncludeList(names: readonly string[]): string[] {
  const list = [...new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n !== ''))];
  if (list.length > MAX_UNDO_INCLUDE) {
    throw new ValidationError(
      'RUN_BAD_UNDO',
      `includeUsernames: ${list.length} users; at most ${MAX_UNDO_INCLUDE} can be included one by one.`,
    );
  }
  const long = list.findIndex((n) => n.length > 200);
  if (long >= 0) throw new ValidationError('RUN_BAD_UNDO', `includeUsernames[${long}]: longer than 200 characters.`);
  return list.sort();
}

function refuse(message: string): ConflictError {
  return new ConflictError('RUN_CANNOT_UNDO', message);
}

/** Opens the undo of a complete run; returns the new held run. */
export async function undoRun(pool: Pool, req: UndoRequest): Promise<RunRow> {
  const include = undoIncludeList(req.includeUsernames);
  const reason = req.reason.trim();
  try {
    return await withDatabase(() =>
      withTransaction(pool, async (client) => {
        // The undo is a run of the undone run's source: that source's open run is the one that matters.
        const target = await getRun(client, req.runId);
        const open = await lockOpenRun(client, target.source);
        if (target.status !== 'complete') {
          throw refuse(`Run ${target.id} is ${target.status}: only a complete run can be undone.`);
        }
        if (isUndoRun(target)) {
          throw refuse(`Run ${target.id} is itself an undo (of run ${target.undoOf}): it cannot be undone in turn.`);
        }
        const live = (await liveUndosOf(client, target.id)).find((u) => u.id !== open?.id || u.status !== 'held');
        if (live) {
          throw refuse(
            `Run ${target.id} already has undo run ${live.id} (${live.status}): cancel it first, or undo a later run.`,
          );
        }
        let replaces: number | undefined;
        if (open) {
          if (open.undoOf !== target.id || open.status !== 'held') {
            throw new ConflictError(
              IngestCodes.runOpen,
              `Run ${open.id} is ${open.status}: apply, cancel or wait for it before undoing run ${target.id}.`,
            );
          }
          replaces = open.id;
        }
        const detail = undoDetail(target.id, include.length);
        if (replaces !== undefined) {
          const why = `replaced by a new undo of run ${target.id}`;
          await transitionRun(client, replaces, 'cancel', { cancelledBy: req.actor, cancelReason: why });
          await enqueueRunCancelled(client, replaces, { actor: req.actor, whileRunning: false, reason: why });
        }
        const run = await openUndoRun(client, { undoOf: target.id, include, detail });
        await enqueueRunQueued(client, run.id, { planOnly: true });
        await recordAudit(client, {
          runId: run.id,
          action: 'undo',
          actor: req.actor,
          detail: {
            undoOf: target.id,
            included: include.length,
            ...(reason ? { reason } : {}),
            ...(replaces !== undefined ? { replaces } : {}),
          },
        });
        return run;
      }),
    );
  } catch (err) {
    // A first upload opened a run between our lock and our insert.
    if (isUniqueViolation(err, 'run_one_open_idx')) {
      const open = await findOpenRun(pool, (await getRun(pool, req.runId)).source);
      throw new ConflictError(
        IngestCodes.runOpen,
        `Run ${open?.id ?? '?'} is ${open?.status ?? 'open'}: apply, cancel or wait for it before undoing run ${req.runId}.`,
      );
    }
    throw err;
  }
}

function undoDetail(target: number, included: number): string {
  const also = included ? `; ${included.toLocaleString('en-US')} users changed later are included` : '';
  return `restores what run ${target} changed${also}`;
}
