import { runsV1 } from '@usersync/contracts';

/** Haplo's run statuses, same names (reference §1.2). */
export const RUN_STATUSES = ['uploading', 'ready', 'running', 'complete', 'cancelled', 'failure'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run in one of these is open: uploads land in it, and no second run may open beside it. */
export const OPEN_STATUSES: readonly RunStatus[] = ['uploading', 'ready', 'running'];
/** Haplo's "status >= complete". */
export const FINISHED_STATUSES: readonly RunStatus[] = ['complete', 'cancelled', 'failure'];

export const isFinished = (status: RunStatus): boolean => FINISHED_STATUSES.includes(status);

const TO_PROTO: Record<RunStatus, runsV1.RunStatus> = {
  uploading: runsV1.RunStatus.RUN_STATUS_UPLOADING,
  ready: runsV1.RunStatus.RUN_STATUS_READY,
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
