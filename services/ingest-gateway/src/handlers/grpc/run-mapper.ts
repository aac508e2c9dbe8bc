/** Rows of the runs schema → RunService messages. */
import { createHash } from 'node:crypto';
import { commonV1, runsV1 } from '@usersync/contracts';
import {
  appliedAt,
  approvalScopeToProto,
  shownHold,
  holdReasonToProto,
  statusToProto,
  type ActionCountsRow,
  type PlanAction,
  type RunLogLevel,
  type RunRow,
  fullCounts,
} from '@usersync/run-state';
import { SCIM_CONTROL_BYTES, SCIM_USERS_FILE } from '../../domain/scim-snapshot.js';
import { actorToProto } from '../../domain/actor.js';
import type { ControlFileRow } from '../../store/control-files.repository.js';
import type { RunFileRow } from '../../store/run-files.repository.js';

/** Counts by action as the proto message (absent counts are 0). */
export function countsToProto(c: ActionCountsRow | undefined): commonV1.ActionCounts {
  return fullCounts(c);
}

export function fileToProto(f: RunFileRow): runsV1.RunFile {
  return { name: f.name, filename: f.filename, digest: f.digest, size: f.size, replaceable: f.replaceable };
}

export function runToProto(run: RunRow, files: readonly RunFileRow[]): runsV1.Run {
  const hold = shownHold(run);
  return {
    id: run.id,
    status: statusToProto(run.status),
    source: run.source,
    holdReason: holdReasonToProto(hold?.reason ?? null),
    holdDetail: hold?.detail ?? '',
    createdAt: run.createdAt,
    startedAt: run.startedAt ?? undefined,
    appliedAt: appliedAt(run) ?? undefined,
    finishedAt: run.finishedAt ?? undefined,
    hasPlan: run.hasPlan,
    remainderOfRunId: run.remainderOf ?? undefined,
    approvedScope: approvalScopeToProto(run.approvedScope),
    errorGroups: run.errorGroups.map((g) => ({
      message: g.message,
      count: g.count,
      exampleUsername: g.username ?? '',
    })),
    approvedBy: actorToProto(run.approvedBy),
    comment: run.comment ?? '',
    errorCount: run.errorCount,
    counts: countsToProto(run.counts),
    planCounts: countsToProto(run.planCounts),
    files: files.map(fileToProto),
    reappliedFromRunId: run.reappliedFrom ?? undefined,
    cancelRequested: run.cancelRequested,
    cancelReason: run.cancelReason ?? '',
    cancelledBy: actorToProto(run.cancelledBy),
    failureMessage: run.failureMessage ?? '',
    // Filled in by GetRun only (a read of apply-worker's progress table).
    progress: undefined,
    undo: undoToProto(run),
  };
}

// An undo's counts carry `deleted` beside the feed actions (apply-worker's undo-plan.repository.ts).
const deletesOf = (c: ActionCountsRow): number => (c as { deleted?: number }).deleted ?? 0;

/** What a compensating run undoes (run-undo.ts); unset for every other run. */
function undoToProto(run: RunRow): runsV1.UndoInfo | undefined {
  if (run.undoOf === null) return undefined;
  return {
    undoOfRunId: run.undoOf,
    includedUsernames: run.undoInclude,
    skipped: run.undoSkipped?.users ?? [],
    skippedCount: run.undoSkipped?.count ?? 0,
    plannedDeletes: deletesOf(run.planCounts),
    appliedDeletes: deletesOf(run.counts),
  };
}

export function controlFileToProto(cf: ControlFileRow, current: boolean): runsV1.ControlFile {
  return {
    digest: cf.digest,
    size: cf.size,
    createdAt: cf.createdAt,
    uploadedBy: actorToProto(cf.uploadedBy),
    reason: cf.reason,
    current,
    // The `files` keys, without the `_control` every run also needs.
    expectedFiles: cf.expectedFiles.filter((n) => n !== '_control'),
    source: cf.source,
    builtIn: false,
  };
}

const BUILT_IN_SCIM_DIGEST = createHash('sha256').update(SCIM_CONTROL_BYTES).digest('hex');

/**
 * The SCIM source's built-in mapping as a control file version, for GetControlFile: what its runs carry as
 * `_control` until an admin uploads one (current then), or whenever it is asked for by its digest.
 */
export function builtInScimControlFile(current: boolean): runsV1.GetControlFileResponse {
  return {
    controlFile: {
      digest: BUILT_IN_SCIM_DIGEST,
      size: SCIM_CONTROL_BYTES.length,
      createdAt: undefined,
      uploadedBy: undefined,
      reason: 'The built-in SCIM mapping',
      current,
      expectedFiles: [SCIM_USERS_FILE],
      source: 'scim',
      builtIn: true,
    },
    content: SCIM_CONTROL_BYTES.toString('utf8'),
  };
}

/** True when `digest` names the built-in SCIM mapping. */
export const isBuiltInScimDigest = (digest: string) => digest === BUILT_IN_SCIM_DIGEST;

const LEVELS: Record<RunLogLevel, runsV1.LogLevel> = {
  info: runsV1.LogLevel.LOG_LEVEL_INFO,
  warning: runsV1.LogLevel.LOG_LEVEL_WARNING,
  error: runsV1.LogLevel.LOG_LEVEL_ERROR,
};
export const levelToProto = (level: RunLogLevel): runsV1.LogLevel => LEVELS[level];
/** The level filter of a request; undefined for every level. */
export function levelFromProto(level: runsV1.LogLevel): RunLogLevel | undefined {
  return (Object.keys(LEVELS) as RunLogLevel[]).find((k) => LEVELS[k] === level);
}

const ACTIONS: Record<PlanAction, commonV1.UserAction> = {
  create: commonV1.UserAction.USER_ACTION_CREATE,
  update: commonV1.UserAction.USER_ACTION_UPDATE,
  reactivate: commonV1.UserAction.USER_ACTION_REACTIVATE,
  block: commonV1.UserAction.USER_ACTION_BLOCK,
  unchanged: commonV1.UserAction.USER_ACTION_UNCHANGED,
  delete: commonV1.UserAction.USER_ACTION_DELETE,
};
export const actionToProto = (action: PlanAction): commonV1.UserAction => ACTIONS[action];
/** The action filter of a request; undefined for every action. */
export function actionFromProto(action: commonV1.UserAction): PlanAction | undefined {
  return (Object.keys(ACTIONS) as PlanAction[]).find((k) => ACTIONS[k] === action);
}
