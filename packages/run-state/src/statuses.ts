import { runsV1 } from '@usersync/contracts';

/**
 * A run's statuses: Haplo's (reference §1.2) plus `held`, a run that waits for an admin's decision. Haplo
 * keeps such a run `ready` with a hold reason; usersync gives it a status of its own so that "waiting for
 * its files or start-sync" and "waiting for an admin" never share a word (issue 16). Haplo's wire answers
 * (start-sync's `admin-intervention-required`) are unchanged.
 */
export const RUN_STATUSES = ['uploading', 'ready', 'held', 'running', 'complete', 'cancelled', 'failure'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run in one of these is open: uploads land in it, and no second run may open beside it. */
export const OPEN_STATUSES: readonly RunStatus[] = ['uploading', 'ready', 'held', 'running'];
/** Haplo's "status >= complete". */
export const FINISHED_STATUSES: readonly RunStatus[] = ['complete', 'cancelled', 'failure'];

export const isFinished = (status: RunStatus): boolean => FINISHED_STATUSES.includes(status);

/** Whether `value` names a status (for filters taken from a URL). */
export const isRunStatus = (value: string): value is RunStatus => (RUN_STATUSES as readonly string[]).includes(value);

const TO_PROTO: Record<RunStatus, runsV1.RunStatus> = {
  uploading: runsV1.RunStatus.RUN_STATUS_UPLOADING,
  ready: runsV1.RunStatus.RUN_STATUS_READY,
  held: runsV1.RunStatus.RUN_STATUS_HELD,
  running: runsV1.RunStatus.RUN_STATUS_RUNNING,
  complete: runsV1.RunStatus.RUN_STATUS_COMPLETE,
  cancelled: runsV1.RunStatus.RUN_STATUS_CANCELLED,
  failure: runsV1.RunStatus.RUN_STATUS_FAILURE,
};

export const statusToProto = (status: RunStatus): runsV1.RunStatus => TO_PROTO[status];

/** The status of a proto value; undefined for UNSPECIFIED or an unknown value. */
export function statusFromProto(value: runsV1.RunStatus): RunStatus | undefined {
  return RUN_STATUSES.find((s) => TO_PROTO[s] === value);
}
