/** `GET …/runs/:id`: a run's status for scripts that wait for it (DESIGN §4). */
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { ValidationError, withDatabase } from '@usersync/platform';
import {
  HOLD_REASON_TEXT,
  appliedAt,
  getRun,
  progressReport,
  readRunProgress,
  runOutcome,
  shownHold,
  type ProgressReport,
  type RunProgress,
  type RunRow,
} from '@usersync/run-state';
import { listRunFiles, type RunFileRow } from '../../store/run-files.repository.js';
import { RUN_STATUS_ROUTE } from './api-schemas.js';

/** The JSON shape of a run for scripts (stable: scripts parse it), without its files (the runs list). */
export function runJson(run: RunRow) {
  const hold = shownHold(run);
  return {
    id: run.id,
    status: run.status,
    // Which source the run carries: file (uploads) or scim (the SCIM batcher's snapshot).
    source: run.source,
    // What became of a finished run: complete, complete_with_errors, failed (nothing applied), cancelled.
    outcome: runOutcome(run),
    holdReason: hold ? { code: hold.reason, text: HOLD_REASON_TEXT[hold.reason] } : null,
    holdDetail: hold ? hold.detail : null,
    // A held run can be approved once its plan is stored.
    hasPlan: run.hasPlan,
    createdAt: run.createdAt,
    readyAt: run.readyAt,
    startedAt: run.startedAt,
    appliedAt: appliedAt(run),
    finishedAt: run.finishedAt,
    approvedBy: run.approvedBy ? { kind: run.approvedBy.kind, displayName: run.approvedBy.displayName } : null,
    approvedScope: run.approvedScope,
    remainderOf: run.remainderOf,
    cancelRequested: run.cancelRequested,
    cancelledBy: run.cancelledBy ? { kind: run.cancelledBy.kind, displayName: run.cancelledBy.displayName } : null,
    cancelReason: run.cancelReason,
    failureMessage: run.failureMessage,
    reappliedFrom: run.reappliedFrom,
    errorCount: run.errorCount,
    errorGroups: run.errorGroups,
    counts: run.counts,
    planCounts: run.planCounts,
    expectedFiles: run.expectedFiles,
  };
}

/** `GET …/runs/:id`: the run, its files and its progress (null before a worker picked it up). */
export function runStatusJson(run: RunRow, files: readonly RunFileRow[], progress: ProgressReport | null = null) {
  return {
    ...runJson(run),
    files: files.map((f) => ({ name: f.name, filename: f.filename, digest: f.digest, size: f.size })),
    // Totals, percent, elapsed, ETA and staleness: the same figures the portal shows (run-state progressReport).
    progress,
  };
}

/** The progress figures; a worker is at work only while the run is running or planning a held run. */
function reportOf(run: RunRow, progress: RunProgress): ProgressReport {
  const workerActive = run.status === 'running' || (run.status === 'held' && !run.hasPlan);
  return progressReport(progress, new Date(), { workerActive });
}

/** Registers the run status route in an API scope. */
export function registerRunStatusRoutes(app: FastifyInstance, deps: { pool: Pool }): void {
  app.get('/runs/:id', { schema: RUN_STATUS_ROUTE, attachValidation: true }, async (request, reply) => {
    const raw = (request.params as { id: string }).id;
    if (!/^[1-9][0-9]{0,17}$/.test(raw))
      throw new ValidationError('RUN_BAD_ID', `Invalid run id ${JSON.stringify(raw)}: expected a positive integer.`);
    const id = Number(raw);
    const [run, files, progress] = await withDatabase(() =>
      Promise.all([getRun(deps.pool, id), listRunFiles(deps.pool, id), readRunProgress(deps.pool, id)]),
    );
    return reply
      .code(200)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(runStatusJson(run, files, progress ? reportOf(run, progress) : null), null, 2));
  });
}
