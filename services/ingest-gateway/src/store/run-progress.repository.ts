/**
 * Read-only view of apply-worker's directory.run_progress for GetRun (the portal's live progress).
 * The table belongs to apply-worker; when its schema is not there yet (worker never started against
 * this database) the run simply has no progress.
 */
import type { runsV1 } from '@usersync/contracts';
import type { Queryable } from '@usersync/run-state';

const UNDEFINED_TABLE = '42P01';
const INVALID_SCHEMA = '3F000';

/** The run's progress, or undefined before the worker picked it up (or when the worker's schema is absent). */
export async function readRunProgress(db: Queryable, runId: number): Promise<runsV1.RunProgress | undefined> {
  try {
    const { rows } = await db.query<{ phase: string; processed: string; updated_at: Date }>(
      'SELECT phase, processed, updated_at FROM directory.run_progress WHERE run_id = $1',
      [runId],
    );
    const r = rows[0];
    return r && { phase: r.phase, processed: Number(r.processed), updatedAt: r.updated_at };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return undefined;
    throw err;
  }
}
