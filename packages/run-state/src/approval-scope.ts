/**
 * Partial approval (issue 16): an admin applies part of a held run's plan now (some actions, minus single
 * users) and keeps the rest held as a follow-up run, decided later. The scope is stored on the run it
 * approves; the worker applies only the plan rows inside it and opens the follow-up for the rest.
 */
import { commonV1, type runsV1 } from '@usersync/contracts';
import { ValidationError, type Actor } from '@usersync/platform';
import type { PlanAction } from './run-plan.js';
import type { Queryable, RunRow } from './run.repository.js';

/** Actions an approval scope names; an undo's `delete` rows are kept back by any partial scope (run-undo.ts). */
export type ChangeAction = Exclude<PlanAction, 'unchanged' | 'delete'>;
export const CHANGE_ACTIONS: readonly ChangeAction[] = ['create', 'update', 'reactivate', 'block'];
/** What "apply the safe part now" applies: nobody loses access; blocks wait. */
export const SAFE_ACTIONS: readonly ChangeAction[] = ['create', 'update', 'reactivate'];
export const MAX_EXCLUDED_USERNAMES = 10_000;

export interface ApprovalScope {
  /** Actions applied now; the others are kept back. */
  actions: ChangeAction[];
  /** Users kept back whatever their action. */
  excludedUsernames: string[];
  /** The admin's why, recorded with the decision. */
  reason: string;
}

const ACTION_PROTO: Record<ChangeAction, commonV1.UserAction> = {
  create: commonV1.UserAction.USER_ACTION_CREATE,
  update: commonV1.UserAction.USER_ACTION_UPDATE,
  reactivate: commonV1.UserAction.USER_ACTION_REACTIVATE,
  block: commonV1.UserAction.USER_ACTION_BLOCK,
};

/** True when the scope keeps something back (else it is a whole approval). */
export function isPartial(scope: ApprovalScope | null): scope is ApprovalScope {
  return !!scope && (scope.actions.length < CHANGE_ACTIONS.length || scope.excludedUsernames.length > 0);
}

/**
 * The scope of an ApplyRun request, checked: null for a whole approval; a ValidationError naming the field
 * for an unknown action, a bad or over-long exclusion list, or a partial approval without a reason.
 */
export function approvalScopeFromProto(scope: runsV1.ApprovalScope | undefined, reason: string): ApprovalScope | null {
  if (!scope) return null;
  const actions: ChangeAction[] = [];
  for (const [i, value] of scope.actions.entries()) {
    const action = CHANGE_ACTIONS.find((a) => ACTION_PROTO[a] === value);
    if (!action) throw new ValidationError('RUN_BAD_SCOPE', `scope.actions[${i}]: not an action a plan applies.`);
    if (!actions.includes(action)) actions.push(action);
  }
  const excluded = [...new Set(scope.excludedUsernames.map((u) => u.trim()).filter((u) => u !== ''))];
  if (excluded.length > MAX_EXCLUDED_USERNAMES) {
    throw new ValidationError(
      'RUN_BAD_SCOPE',
      `scope.excludedUsernames: ${excluded.length} users; at most ${MAX_EXCLUDED_USERNAMES} can be kept back one by one.`,
    );
  }
  const long = excluded.findIndex((u) => u.length > 200);
  if (long >= 0)
    throw new ValidationError('RUN_BAD_SCOPE', `scope.excludedUsernames[${long}]: longer than 200 characters.`);
  const result = { actions: actions.length ? actions : [...CHANGE_ACTIONS], excludedUsernames: excluded, reason };
  if (!isPartial(result)) return null;
  if (!reason.trim()) {
    throw new ValidationError('RUN_REASON_REQUIRED', 'reason: say why only part of the plan is applied now.');
  }
  return { ...result, reason: reason.trim() };
}

export function approvalScopeToProto(scope: ApprovalScope | null): runsV1.ApprovalScope | undefined {
  if (!scope) return undefined;
  return { actions: scope.actions.map((a) => ACTION_PROTO[a]), excludedUsernames: scope.excludedUsernames };
}

/**
 * Opens the follow-up run of a partly applied run: held for `partial_remainder`, with copies of its files,
 * naming the run it continues. Called by the worker inside its apply transaction, after the run completed
 * (one open run at a time). The worker then plans it like any run held before planning.
 */
export async function openRemainderRun(db: Queryable, run: RunRow, detail: string): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO runs.run (status, expected_files, ready_at, hold_reason, hold_detail, remainder_of, source, source_groups)
     VALUES ('held', $2, now(), 'partial_remainder', $3, $1, $4, $5) RETURNING id`,
    [run.id, run.expectedFiles, detail, run.source, JSON.stringify(run.sourceGroups)],
  );
  const id = Number(rows[0]!.id);
  await copyRunFiles(db, run.id, id);
  return id;
}

/**
 * Copies every file of one run into another, `_control` included, none replaceable: Re-apply (uploaded by
 * the admin who re-applies) and a partial approval's follow-up (the uploaders kept).
 */
export async function copyRunFiles(db: Queryable, fromRunId: number, toRunId: number, by?: Actor): Promise<void> {
  await db.query(
    `INSERT INTO runs.run_file (run_id, name, digest, size, filename, replaceable, uploaded_by)
     SELECT $2, name, digest, size, filename, false, coalesce($3::jsonb, uploaded_by) FROM runs.run_file
     WHERE run_id = $1`,
    [fromRunId, toRunId, by ? JSON.stringify(by) : null],
  );
}
