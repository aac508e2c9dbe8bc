/**
 * The admin actions on a run (DESIGN §3): Apply, Re-apply, Cancel and Unsafe mark cancelled. Each
 * is one transaction: the guarded transition (@usersync/run-state), the audit row and the event.
 */
import type { Pool } from 'pg';
import { ConflictError, isUniqueViolation, withDatabase, withTransaction } from '@usersync/platform';
import {
  copyRunFiles,
  getRun,
  transitionRun,
  type ApprovalScope,
  type RunRow,
  type StoredActor,
} from '@usersync/run-state';
import { IngestCodes } from '../domain/messages.js';
import { enqueueRunCancelled, enqueueRunQueued } from '../store/run-events.outbox.js';
import { recordAudit } from '../store/audit.repository.js';
import { findOpenRun, insertRun, lockOpenRun, lockRun } from '../store/runs.repository.js';

function anotherRunOpen(open: RunRow | undefined, runId: number): ConflictError {
  const which = open ? `Run ${open.id} is ${open.status}` : 'Another run is open';
  return new ConflictError(
    IngestCodes.runOpen,
    `${which}: apply, cancel or wait for it before re-applying run ${runId}.`,
  );
}

/** Creates the run-action commands over a pool. */
export function createRunActions(pool: Pool) {
  const tx = <T>(fn: Parameters<typeof withTransaction<T>>[1]) => withDatabase(() => withTransaction(pool, fn));

  return {
    /**
     * held or ready → running, approved by the actor. A held run is approved only once its plan is stored:
     * the worker then applies exactly that plan (same digest) and bypasses the thresholds. A partial
     * approval (scope) applies part of that plan and leaves the rest held as a follow-up run.
     */
    apply(
      runId: number,
      actor: StoredActor,
      decision: { scope?: ApprovalScope | null; reason?: string } = {},
    ): Promise<RunRow> {
      const scope = decision.scope ?? null;
      return tx(async (client) => {
        const current = await lockRun(client, runId);
        if (current.status === 'held' && !current.hasPlan) {
          throw new ConflictError(
            IngestCodes.planPending,
            `Run ${runId} is still being planned: apply it once its plan preview is ready.`,
          );
        }
        if (scope && !(current.status === 'held' && current.hasPlan)) {
          throw new ConflictError(
            IngestCodes.partialNeedsPlan,
            `Run ${runId} is ${current.status}: only a held run with a plan preview can be applied in part.`,
          );
        }
        // The hold reason stays on the row: should the worker find the preview stale, it holds it again for it.
        const run = await transitionRun(client, runId, 'queue', {
          approvedBy: actor,
          queuedBy: actor,
          approvedScope: scope,
        });
        await enqueueRunQueued(client, runId, { approvedBy: actor });
        const reason = scope?.reason ?? decision.reason ?? '';
        await recordAudit(client, {
          runId,
          action: scope ? 'apply_part' : 'apply',
          actor,
          detail: {
            ...(reason ? { reason } : {}),
            ...(current.holdReason ? { heldFor: current.holdReason } : {}),
            ...(scope ? { actions: scope.actions, excludedUsernames: scope.excludedUsernames.length } : {}),
          },
        });
        return run;
      });
    },

    /** complete|failure → a new run with copies of all its files (`_control` too), straight to running. */
    async reapply(runId: number, actor: StoredActor): Promise<RunRow> {
      try {
        return await tx(async (client) => {
          const source = await getRun(client, runId);
          if (source.status !== 'complete' && source.status !== 'failure') {
            throw new ConflictError(
              'RUN_BAD_STATE',
              `Run ${runId} is ${source.status}: only a complete or failed run can be re-applied.`,
            );
          }
          if (source.source !== 'file') {
            // A SCIM run's files are a snapshot of the SCIM source at the time; its current state is what
            // the next SCIM run applies, so an old snapshot is never re-applied over it.
            throw new ConflictError(
              'RUN_BAD_STATE',
              `Run ${runId} is a run of the ${source.source} source: only file runs can be re-applied.`,
            );
          }
          const open = await lockOpenRun(client);
          if (open) throw anotherRunOpen(open, runId);
          const copy = await insertRun(client, {
            status: 'ready',
            expectedFiles: source.expectedFiles,
            reappliedFrom: runId,
          });
          await copyRunFiles(client, runId, copy.id, actor);
          const run = await transitionRun(client, copy.id, 'queue', { approvedBy: actor, queuedBy: actor });
          await enqueueRunQueued(client, copy.id, { approvedBy: actor, reapply: true });
          await recordAudit(client, { runId: copy.id, action: 'reapply', actor, detail: { reappliedFrom: runId } });
          return run;
        });
      } catch (err) {
        // A first upload opened a run between our check and our insert.
        if (isUniqueViolation(err, 'run_one_open_idx')) throw anotherRunOpen(await findOpenRun(pool), runId);
        throw err;
      }
    },

    /** uploading|ready → cancelled. */
    cancel(runId: number, actor: StoredActor, reason: string): Promise<RunRow> {
      return tx(async (client) => {
        const run = await transitionRun(client, runId, 'cancel', { cancelledBy: actor, cancelReason: reason || null });
        await enqueueRunCancelled(client, runId, { actor, whileRunning: false, reason });
        await recordAudit(client, { runId, action: 'cancel', actor, detail: { reason } });
        return run;
      });
    },

    /** running → cancelled with cancel_requested: the worker rolls the apply back at its next checkpoint. */
    forceCancel(runId: number, actor: StoredActor, reason: string): Promise<RunRow> {
      return tx(async (client) => {
        const run = await transitionRun(client, runId, 'forceCancel', {
          cancelledBy: actor,
          cancelReason: reason || null,
        });
        await enqueueRunCancelled(client, runId, { actor, whileRunning: true, reason });
        await recordAudit(client, { runId, action: 'force_cancel', actor, detail: { reason } });
        return run;
      });
    },
  };
}

export type RunActions = ReturnType<typeof createRunActions>;
