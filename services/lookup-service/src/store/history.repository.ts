/**
 * A user's history rows (schema `directory`). A create's row holds no change list: its changes are the
 * run's stored plan entry, read through @usersync/run-state (the runs owner), not joined here.
 */
import type pg from 'pg';
import { planChangesOf, type PlanFieldChange, type UserErrorRun } from '@usersync/run-state';

/** One history row. */
export interface HistoryRow {
  id: number;
  /** 0 for an entry no run made (a recycle timer step, an admin's restore: see `reason`). */
  runId: number;
  action: 'create' | 'update' | 'reactivate' | 'block' | 'delete' | 'anonymise' | 'restore';
  changes: PlanFieldChange[];
  at: Date;
  reason: string;
}

/** A run whose log has problem lines about the user. */
export type ErrorRunRow = UserErrorRun;

/** How many recent runs are searched for a user's error lines: one index probe per run on (run_id, username). */
export const ERROR_RUN_WINDOW = 50;
/** Most error runs returned. */
export const MAX_ERROR_RUNS = 20;

/** Creates the repository over a pool (the same database as the runs schema). */
export function historyRepository(db: Pick<pg.Pool, 'query'>) {
  return {
    /** Newest first; `beforeId` pages back (keyset on history.id, stable while runs add rows). */
    async page(userId: number, limit: number, beforeId: number | null): Promise<HistoryRow[]> {
      const { rows } = await db.query<{
        id: string;
        run_id: string | null;
        reason: string | null;
        action: HistoryRow['action'];
        changes: HistoryRow['changes'] | null;
        at: Date;
        username: string;
      }>(
        `SELECT h.id, h.run_id, h.action, h.at, h.changes, h.reason, u.username
         FROM directory.history h JOIN directory."user" u ON u.id = h.user_id
         WHERE h.user_id = $1 AND ($2::bigint IS NULL OR h.id < $2) ORDER BY h.id DESC LIMIT $3`,
        [userId, beforeId, limit],
      );
      const missing = rows
        .filter((r) => r.changes === null && r.run_id !== null)
        .map((r) => ({ runId: Number(r.run_id), username: r.username }));
      const planned = await planChangesOf(db, missing);
      return rows.map((r) => ({
        id: Number(r.id),
        runId: Number(r.run_id ?? 0),
        action: r.action,
        changes: r.changes ?? planned.get(`${Number(r.run_id)}/${r.username}`) ?? [],
        at: r.at,
        reason: r.reason ?? '',
      }));
    },
  };
}

export type HistoryRepository = ReturnType<typeof historyRepository>;
