/**
 * The report of one run outcome, as every channel needs it: built once per event from the event
 * and the run's stored data, then rendered as an email or a webhook body. Pure: no I/O.
 */
import {
  HOLD_REASON_TEXT,
  fullCounts,
  runOutcome,
  type ActionCountsRow,
  type HoldReason,
  type RunOutcome,
} from '@usersync/run-state';

/** The run outcomes that produce a report (the subject's last token). */
export const OUTCOME_KINDS = ['completed', 'failed', 'held', 'cancelled'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

/** The status a report states: the run's final status, or `held` for a run waiting for an admin. */
export type ReportStatus = 'complete' | 'failure' | 'held' | 'cancelled';

const STATUS_OF: Record<OutcomeKind, ReportStatus> = {
  completed: 'complete',
  failed: 'failure',
  held: 'held',
  cancelled: 'cancelled',
};

/** What became of the run (run-state's runOutcome), or `held` while it waits for an admin. */
export type ReportOutcome = RunOutcome | 'held';

/** A user the run blocks (or would block): the plan's username and name, the directory's department. */
export interface BlockedUser {
  username: string;
  displayName: string | null;
  /** The user's `department` tag from lookup-service; null when unknown or lookup-service is unreachable. */
  department: string | null;
}

/** The first users a run blocks, how many it blocks in all, and the plan filtered to its blocks. */
export interface BlockedList {
  users: BlockedUser[];
  total: number;
  /** `<portal>/runs/<id>/plan?action=block`. */
  url: string;
}

/** Blocked users named in a report; the plan page lists the rest. */
export const BLOCKED_USERS_SHOWN = 10;

/** Everything a report says about a run. */
export interface RunReport {
  host: string;
  runId: number;
  kind: OutcomeKind;
  status: ReportStatus;
  outcome: ReportOutcome;
  createdAt: Date;
  appliedAt: Date | null;
  /** This run's error count. */
  errors: number;
  /** errors minus the previous finished run's (0 when there is none); may be negative. */
  errorDelta: number;
  /** Applied counts; for a held run, the planned counts. */
  counts: Required<ActionCountsRow>;
  countsArePlanned: boolean;
  holdReason: HoldReason | null;
  /** HOLD_REASON_TEXT of the reason. */
  holdText: string | null;
  /** What the run would do, e.g. "would block 1,204 users (14% of 8,600; limit 10%)". */
  holdDetail: string | null;
  failure: string | null;
  cancelReason: string | null;
  runUrl: string;
  /** Held and complete runs that block someone: who; else null. */
  blocked: BlockedList | null;
  /** The run this one holds the rest of, after a partial approval; null otherwise. */
  remainderOf: number | null;
  remainderOfUrl: string | null;
  /** The first ERROR lines of the log (at most ERROR_LINES_SHOWN). */
  errorLines: string[];
  errorLineTotal: number;
}

/** ERROR lines quoted in an email; the total is stated beside them. */
export const ERROR_LINES_SHOWN = 200;

/** Haplo §3.10: this run's errors minus the previous run's, null counted as 0. */
export const errorDelta = (errors: number, previousErrors: number | null): number => errors - (previousErrors ?? 0);

/** The run page in the portal. */
export function runPageUrl(publicUrl: string, runId: number): string {
  return `${publicUrl.replace(/\/+$/, '')}/runs/${runId}`;
}

/** The run's plan in the portal, filtered to its blocks. */
export function planBlocksUrl(publicUrl: string, runId: number): string {
  return `${runPageUrl(publicUrl, runId)}/plan?action=block`;
}

/** The report's host: REPORT_HOSTNAME when set, else PUBLIC_URL's hostname. */
export function reportHost(publicUrl: string, override?: string): string {
  if (override && override.trim()) return override.trim();
  return new URL(publicUrl).hostname;
}

/** Inputs to {@link buildRunReport}: the event's facts, the stored run and the log summary. */
export interface ReportInputs {
  host: string;
  publicUrl: string;
  kind: OutcomeKind;
  run: {
    id: number;
    createdAt: Date;
    finishedAt: Date | null;
    errorCount: number;
    counts: ActionCountsRow;
    planCounts: ActionCountsRow;
    holdReason: HoldReason | null;
    holdDetail: string | null;
    failureMessage: string | null;
    cancelReason: string | null;
    remainderOf?: number | null;
  };
  /** Facts carried by the event; they win over the run row, which may have moved on since. */
  event: {
    /** Applied counts (completed) or planned counts (held). */
    counts?: ActionCountsRow;
    errorCount?: number;
    appliedAt?: Date | null;
    holdReason?: HoldReason | null;
    holdDetail?: string;
    error?: string;
    reason?: string;
  };
  previousErrors: number | null;
  errorLines: string[];
  errorLineTotal: number;
  /** The first blocked users of the stored plan and their total (held and complete runs); absent: none. */
  blocked?: { users: BlockedUser[]; total: number };
}

const outcomeOf = (status: ReportStatus, errors: number): ReportOutcome =>
  status === 'held' ? 'held' : (runOutcome({ status, errorCount: errors }) ?? 'complete');

/** Assembles the report of one outcome. */
export function buildRunReport(i: ReportInputs): RunReport {
  const { run, event, kind } = i;
  const errors = event.errorCount ?? run.errorCount;
  const holdReason = kind === 'held' ? (event.holdReason ?? run.holdReason) : null;
  const holdDetail = kind === 'held' ? event.holdDetail || run.holdDetail || null : null;
  const status = STATUS_OF[kind];
  const blocks = status === 'held' || status === 'complete' ? i.blocked : undefined;
  return {
    host: i.host,
    runId: run.id,
    kind,
    status,
    outcome: outcomeOf(status, errors),
    createdAt: run.createdAt,
    appliedAt: kind === 'completed' ? (event.appliedAt ?? run.finishedAt) : kind === 'held' ? null : run.finishedAt,
    errors,
    errorDelta: errorDelta(errors, i.previousErrors),
    counts: fullCounts(event.counts ?? (kind === 'held' ? run.planCounts : run.counts)),
    countsArePlanned: kind === 'held',
    holdReason,
    holdText: holdReason ? HOLD_REASON_TEXT[holdReason] : null,
    holdDetail,
    failure: kind === 'failed' ? event.error || run.failureMessage || null : null,
    cancelReason: kind === 'cancelled' ? event.reason || run.cancelReason || null : null,
    runUrl: runPageUrl(i.publicUrl, run.id),
    blocked:
      blocks && blocks.users.length > 0
        ? {
            users: blocks.users.slice(0, BLOCKED_USERS_SHOWN),
            total: Math.max(blocks.total, blocks.users.length),
            url: planBlocksUrl(i.publicUrl, run.id),
          }
        : null,
    remainderOf: run.remainderOf ?? null,
    remainderOfUrl: run.remainderOf ? runPageUrl(i.publicUrl, run.remainderOf) : null,
    errorLines: i.errorLines.slice(0, ERROR_LINES_SHOWN),
    errorLineTotal: i.errorLineTotal,
  };
}

/**
 * The webhook body: the same summary as the email, as JSON. Receivers parse it: fields are added, never
 * renamed or removed (outcome, cancelReason, remainderOf and the blocked users came later).
 */
export function webhookPayload(r: RunReport) {
  return {
    host: r.host,
    runId: r.runId,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    appliedAt: r.appliedAt ? r.appliedAt.toISOString() : null,
    errors: r.errors,
    errorDelta: r.errorDelta,
    counts: r.counts,
    countsArePlanned: r.countsArePlanned,
    holdReason: r.holdReason,
    holdDetail: r.holdDetail,
    failure: r.failure,
    runUrl: r.runUrl,
    outcome: r.outcome,
    cancelReason: r.cancelReason,
    remainderOf: r.remainderOf,
    blockedUsers: r.blocked?.users ?? [],
    blockedUrl: r.blocked?.url ?? null,
  };
}
