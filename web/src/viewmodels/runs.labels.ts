/** Words for run data shown on the portal's pages: statuses, hold reasons, actions and counts. */
import { commonV1, runsV1 } from '@usersync/contracts';
import {
  HOLD_REASON_TEXT,
  RUN_OUTCOME_LABEL,
  RUN_STATUS_LABEL,
  holdReasonFromProto,
  runOutcome,
  statusFromProto,
  type HoldReason,
  type RunOutcome,
  type RunStatus,
} from '@usersync/run-state';
import { progressView } from './progress.view.js';

/** The admin actions on a run, as they appear in URLs. */
export type RunAction = 'apply' | 'reapply' | 'cancel' | 'force-cancel';
export const RUN_ACTIONS: readonly RunAction[] = ['apply', 'reapply', 'cancel', 'force-cancel'];

/** Button labels (Haplo's wording). */
export const RUN_ACTION_LABEL: Readonly<Record<RunAction, string>> = {
  apply: 'Apply',
  reapply: 'Re-apply',
  cancel: 'Cancel',
  'force-cancel': 'Unsafe mark cancelled',
};

/** run-state's status name of a proto status: RUN_STATUS_COMPLETE → complete. */
export function runStatusName(status: runsV1.RunStatus): RunStatus {
  // Unknown values keep their proto name (`unspecified`), so a page still shows something.
  return (
    statusFromProto(status) ??
    (runsV1
      .runStatusToJSON(status)
      .replace(/^RUN_STATUS_/, '')
      .toLowerCase() as RunStatus)
  );
}

/**
 * What a run's badge says and how it is styled: an open run's status in words ("Held for an admin"), a
 * finished run's outcome ("Complete with errors", "Failed (nothing applied)").
 */
export function runBadge(run: Pick<runsV1.Run, 'status' | 'errorCount'>): { css: string; text: string } {
  const status = runStatusName(run.status);
  const outcome: RunOutcome | null = runOutcome({ status, errorCount: run.errorCount });
  if (outcome) return { css: outcome.replace(/_/g, '-'), text: RUN_OUTCOME_LABEL[outcome] };
  return { css: status, text: RUN_STATUS_LABEL[status] ?? status };
}

/** A held run whose plan the worker has not stored yet: nobody may approve it before the preview exists. */
export const isPlanPending = (run: Pick<runsV1.Run, 'status' | 'hasPlan'>): boolean =>
  runStatusName(run.status) === 'held' && !run.hasPlan;

/** run-state's hold reason of a proto value; undefined when the run is not held. */
export function holdReasonName(reason: commonV1.HoldReason): HoldReason | undefined {
  return holdReasonFromProto(reason) ?? undefined;
}

/** The sentence an admin reads for a hold reason; empty when not held. */
export function holdReasonText(reason: commonV1.HoldReason): string {
  const name = holdReasonName(reason);
  return name ? HOLD_REASON_TEXT[name] : '';
}

/** Short label for tables: first_run → first run. */
export function holdReasonLabel(reason: commonV1.HoldReason): string {
  return holdReasonName(reason)?.replace(/_/g, ' ') ?? '';
}

/** 1204 → "1,204" (fixed locale so pages read the same everywhere). */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** True when any count is non-zero (a plan or an apply happened). */
export function hasCounts(c: commonV1.ActionCounts | undefined): c is commonV1.ActionCounts {
  return !!c && c.created + c.updated + c.reactivated + c.blocked + c.unchanged + c.errors > 0;
}

/** "creates 12, updates 340, reactivates 0, blocks 1,204" — what a plan does. */
export function countsSentence(c: commonV1.ActionCounts): string {
  return [
    `creates ${formatCount(c.created)}`,
    `updates ${formatCount(c.updated)}`,
    `reactivates ${formatCount(c.reactivated)}`,
    `blocks ${formatCount(c.blocked)}`,
  ].join(', ');
}

/** Plan actions as URL filter values, proto values and labels. */
export const PLAN_ACTIONS = [
  { value: 'create', proto: commonV1.UserAction.USER_ACTION_CREATE, label: 'Create' },
  { value: 'update', proto: commonV1.UserAction.USER_ACTION_UPDATE, label: 'Update' },
  { value: 'reactivate', proto: commonV1.UserAction.USER_ACTION_REACTIVATE, label: 'Reactivate' },
  { value: 'block', proto: commonV1.UserAction.USER_ACTION_BLOCK, label: 'Block' },
  // Only an undo run's plan deletes (a user the undone run created).
  { value: 'delete', proto: commonV1.UserAction.USER_ACTION_DELETE, label: 'Delete' },
] as const;

/** Label of a proto plan action. */
export function planActionLabel(action: commonV1.UserAction): string {
  return PLAN_ACTIONS.find((a) => a.proto === action)?.label ?? 'Unchanged';
}

/** Log levels as URL filter values, proto values and labels. */
export const LOG_LEVELS = [
  { value: 'info', proto: runsV1.LogLevel.LOG_LEVEL_INFO, label: 'Info' },
  { value: 'warning', proto: runsV1.LogLevel.LOG_LEVEL_WARNING, label: 'Warning' },
  { value: 'error', proto: runsV1.LogLevel.LOG_LEVEL_ERROR, label: 'Error' },
] as const;

/** Label of a proto log level. */
export function logLevelLabel(level: runsV1.LogLevel): string {
  return LOG_LEVELS.find((l) => l.proto === level)?.label ?? '';
}

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(1)} ${units[i]}`;
}

/** "creates, updates and reactivations only; 2 users left out" — what a partial approval applied. */
export function scopeSentence(scope: runsV1.ApprovalScope): string {
  const names = scope.actions.map((a) => planActionLabel(a).toLowerCase() + 's');
  const all = scope.actions.length >= PLAN_ACTIONS.length;
  const parts = [all ? 'every action' : `${names.join(', ')} only`];
  const n = scope.excludedUsernames.length;
  if (n)
    parts.push(
      `${formatCount(n)} ${n === 1 ? 'user' : 'users'} left out (${scope.excludedUsernames.slice(0, 5).join(', ')}${n > 5 ? ', …' : ''})`,
    );
  return parts.join('; ');
}

/** Words for a run's or user's source: "file" → File feed, "scim" → SCIM. */
export function sourceLabel(source: string): string {
  if (source === 'scim') return 'SCIM';
  if (source === 'file' || source === '') return 'File feed';
  return source;
}

/** The helpers templates get as `it.labels`. */
export const runLabels = {
  status: (s: runsV1.RunStatus) => runStatusName(s),
  badge: runBadge,
  planPending: isPlanPending,
  holdLabel: holdReasonLabel,
  holdText: holdReasonText,
  count: formatCount,
  bytes: formatBytes,
  planAction: planActionLabel,
  logLevel: logLevelLabel,
  hasCounts,
  countsSentence,
  scopeSentence,
  source: sourceLabel,
  /** Progress figures (percent, elapsed, ETA, stalled) of a run's RunProgress: progress.view.ts. */
  progress: (p: runsV1.RunProgress, workerActive?: boolean) =>
    progressView(p, { count: formatCount, bytes: formatBytes }, { workerActive }),
};
