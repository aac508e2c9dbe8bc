/**
 * gRPC `usersync.runs.v1.SourceService`: the file feed and the SCIM source side by side, for the portal's
 * Sources page. Reads only (schemas runs and scim); every figure is read at call time.
 */
import type { Pool } from 'pg';
import { sourcesV1 } from '@usersync/contracts';
import { actorToProto, unaryHandler, withDatabase, type GrpcServiceRegistration } from '@usersync/platform';
import type { RunRow } from '@usersync/run-state';
import { findCurrentControlFile } from '../../store/control-files.repository.js';
import { findOpenRun } from '../../store/runs.repository.js';
import { readScimSourceState } from '../../store/scim-snapshot.repository.js';
import { readScimRequests, type ScimRequestRecord } from '../../store/scim-requests.repository.js';
import { lastFileUpload, latestRunsOfSource } from '../../store/sources.repository.js';
import { runToProto } from './run-mapper.js';

/** Full proto name of the service (also its health-check key). */
export const SOURCE_SERVICE_NAME = 'usersync.runs.v1.SourceService';

const RUNS = { default: 5, max: 20 };

export interface SourceServiceDeps {
  pool: Pool;
  /** The SCIM batcher's window (SCIM_BATCH_WINDOW_MS), reported as it is configured. */
  scimBatchWindowMs: number;
}

const runOf = (run: RunRow | undefined) => (run ? runToProto(run, []) : undefined);

const requestToProto = (r: ScimRequestRecord | null): sourcesV1.ScimRequest | undefined =>
  r === null
    ? undefined
    : { at: r.at, keyId: r.keyId ?? '', keyName: r.keyName ?? '', method: r.method, path: r.path, status: r.status };

/** The SourceService implementation. */
export function createSourceHandlers(deps: SourceServiceDeps): sourcesV1.SourceServiceServer {
  const { pool } = deps;
  return {
    getSources: unaryHandler<sourcesV1.GetSourcesRequest, sourcesV1.GetSourcesResponse>((req) =>
      withDatabase(async () => {
        const limit = Math.min(Math.max(req.runsPerSource || RUNS.default, 1), RUNS.max);
        const [fileRuns, scimRuns, fileOpen, scimOpen, upload, control, scim, requests] = await Promise.all([
          latestRunsOfSource(pool, 'file', limit),
          latestRunsOfSource(pool, 'scim', limit),
          findOpenRun(pool, 'file'),
          findOpenRun(pool, 'scim'),
          lastFileUpload(pool),
          findCurrentControlFile(pool),
          readScimSourceState(pool),
          readScimRequests(pool),
        ]);
        return {
          file: {
            lastUploadAt: upload?.at,
            lastUploadBy: upload?.by ? actorToProto(upload.by) : undefined,
            controlFileAt: control?.createdAt,
            openRun: runOf(fileOpen),
            runs: fileRuns.runs.map((r) => runToProto(r, [])),
            runCount: fileRuns.count,
          },
          scim: {
            users: scim.users,
            activeUsers: scim.activeUsers,
            groups: scim.groups,
            lastChangeAt: scim.lastChangeAt ?? undefined,
            lastBatchAt: scim.lastBatchAt ?? undefined,
            lastBatchRunId: scim.lastRunId ?? 0,
            changesWaiting: scim.changesWaiting,
            batchWindowMs: deps.scimBatchWindowMs,
            lastRequest: requestToProto(requests.last),
            lastFailedRequest: requestToProto(requests.lastFailed),
            openRun: runOf(scimOpen),
            runs: scimRuns.runs.map((r) => runToProto(r, [])),
            runCount: scimRuns.count,
          },
        };
      }),
    ),
  };
}

/** The registration for createGrpcServer. */
export function sourceServiceRegistration(deps: SourceServiceDeps): GrpcServiceRegistration {
  return {
    definition: sourcesV1.SourceServiceService,
    implementation: createSourceHandlers(deps),
    name: SOURCE_SERVICE_NAME,
  };
}
