/** RunService reads: runs, logs, plans and file downloads. */
import { once } from 'node:events';
import type { Pool } from 'pg';
import type { runsV1 } from '@usersync/contracts';
import {
  NotFoundError,
  type ObjectStore,
  serverStreamHandler,
  unaryHandler,
  ValidationError,
  withDatabase,
} from '@usersync/platform';
import { getRun, holdReasonToProto } from '@usersync/run-state';
import { IngestCodes } from '../../domain/messages.js';
import { readLogPage } from '../../store/log-pages.repository.js';
import { readPlanPage } from '../../store/plan-pages.repository.js';
import { findRunFile, listFilesOfRuns, listRunFiles } from '../../store/run-files.repository.js';
import { listRuns, runsAround } from '../../store/runs.repository.js';
import { readRunProgress } from '../../store/run-progress.repository.js';
import { readRunAttention, readRunHistory, type AttentionRunRow } from '../../store/run-history.repository.js';
import { decodePageToken, encodePageToken, pageSize } from './page-token.js';
import {
  actionFromProto,
  actionToProto,
  countsToProto,
  fileToProto,
  levelFromProto,
  levelToProto,
  runToProto,
} from './run-mapper.js';
import { sourceFilter } from './source-field.js';

export interface QueryDeps {
  pool: Pool;
  objects: ObjectStore;
}

/** The history window's time zone: an IANA name Intl knows (PostgreSQL knows the same tz database). */
function historyTimeZone(zone: string): string {
  if (!zone) return 'UTC';
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new ValidationError('INGEST_BAD_TIME_ZONE', `Unknown time zone "${zone.slice(0, 64)}": use an IANA name.`);
  }
}

const attentionRunToProto = (r: AttentionRunRow): runsV1.AttentionRun => ({
  id: r.id,
  createdAt: r.createdAt,
  holdReason: holdReasonToProto(r.holdReason),
  detail: r.detail,
  finishedAt: r.finishedAt ?? undefined,
});

/** Handlers of the read RPCs. */
export function createRunQueryHandlers({ pool, objects }: QueryDeps) {
  return {
    listRuns: unaryHandler<runsV1.ListRunsRequest, runsV1.ListRunsResponse>((req) =>
      withDatabase(async () => {
        const limit = pageSize(req.pageSize, 10, 100);
        const cursor = decodePageToken<number>(req.pageToken, 'number');
        const source = sourceFilter(req.source);
        const rows = await listRuns(
          pool,
          cursor?.direction === 'prev'
            ? { afterId: cursor.key, limit, source }
            : { beforeId: cursor?.key, limit, source },
        );
        if (rows.length === 0) return { runs: [], nextPageToken: '', prevPageToken: '' };
        const files = await listFilesOfRuns(
          pool,
          rows.map((r) => r.id),
        );
        const newest = rows[0]!.id;
        const oldest = rows[rows.length - 1]!.id;
        const around = await runsAround(pool, oldest, newest, source);
        return {
          runs: rows.map((r) => runToProto(r, files.get(r.id) ?? [])),
          nextPageToken: around.older ? encodePageToken(oldest, 'next') : '',
          prevPageToken: around.newer ? encodePageToken(newest, 'prev') : '',
        };
      }),
    ),

    getRun: unaryHandler<runsV1.GetRunRequest, runsV1.GetRunResponse>((req) =>
      withDatabase(async () => {
        const run = await getRun(pool, req.runId);
        const [files, progress] = await Promise.all([listRunFiles(pool, run.id), readRunProgress(pool, run.id)]);
        return { run: { ...runToProto(run, files), progress } };
      }),
    ),

    getRunLog: unaryHandler<runsV1.GetRunLogRequest, runsV1.GetRunLogResponse>((req) =>
      withDatabase(async () => {
        await getRun(pool, req.runId);
        const page = await readLogPage(pool, req.runId, {
          username: req.username || undefined,
          level: levelFromProto(req.level),
          cursor: decodePageToken<number>(req.pageToken, 'number'),
          limit: pageSize(req.pageSize, 500, 10_000),
        });
        const first = page.lines[0];
        const last = page.lines[page.lines.length - 1];
        return {
          lines: page.lines.map((l) => ({
            seq: l.seq,
            level: levelToProto(l.level),
            username: l.username ?? '',
            text: l.text,
            at: l.at,
          })),
          nextPageToken: last && page.hasAfter ? encodePageToken(last.seq, 'next') : '',
          prevPageToken: first && page.hasBefore ? encodePageToken(first.seq, 'prev') : '',
        };
      }),
    ),

    getRunPlan: unaryHandler<runsV1.GetRunPlanRequest, runsV1.GetRunPlanResponse>((req) =>
      withDatabase(async () => {
        const run = await getRun(pool, req.runId);
        const page = await readPlanPage(pool, req.runId, {
          action: actionFromProto(req.action),
          usernamePrefix: req.usernamePrefix || undefined,
          cursor: decodePageToken<string>(req.pageToken, 'string'),
          limit: pageSize(req.pageSize, 100, 1_000),
        });
        const first = page.entries[0];
        const last = page.entries[page.entries.length - 1];
        return {
          entries: page.entries.map((e) => ({
            username: e.username,
            action: actionToProto(e.action),
            changes: e.changes.map((c) => ({
              field: c.field,
              before: JSON.stringify(c.before ?? null),
              after: JSON.stringify(c.after ?? null),
            })),
            displayName: e.displayName ?? '',
            email: e.email ?? '',
            lastSeenRunId: e.lastSeenRun === null || e.lastSeenRun === undefined ? undefined : Number(e.lastSeenRun),
          })),
          nextPageToken: last && page.hasAfter ? encodePageToken(last.username, 'next') : '',
          prevPageToken: first && page.hasBefore ? encodePageToken(first.username, 'prev') : '',
          // Counted once, when the plan was stored (run.plan_counts): a page never counts a million rows.
          counts: countsToProto(run.planCounts),
        };
      }),
    ),

    getRunHistory: unaryHandler<runsV1.GetRunHistoryRequest, runsV1.GetRunHistoryResponse>(async (req) => {
      const zone = historyTimeZone(req.timeZone);
      return withDatabase(async () => {
        const days = await readRunHistory(pool, pageSize(req.days, 30, 366), zone);
        return {
          days: days.map((d) => ({
            day: d.day,
            complete: d.complete,
            completeWithErrors: d.completeWithErrors,
            failed: d.failed,
            cancelled: d.cancelled,
            p50DurationSeconds: d.p50Seconds,
            maxDurationSeconds: d.maxSeconds,
          })),
        };
      });
    }),

    getRunAttention: unaryHandler<runsV1.GetRunAttentionRequest, runsV1.GetRunAttentionResponse>(() =>
      withDatabase(async () => {
        const a = await readRunAttention(pool);
        return {
          held: a.held.map(attentionRunToProto),
          failures: a.failures.map(attentionRunToProto),
          failureCount: a.failureCount,
          lastSuccessAt: a.lastSuccessAt ?? undefined,
          lastUploadAt: a.lastUploadAt ?? undefined,
        };
      }),
    ),

    downloadRunFile: serverStreamHandler<runsV1.DownloadRunFileRequest, runsV1.DownloadRunFileResponse>(
      async (req, call, ctx) => {
        const file = await withDatabase(() => findRunFile(pool, req.runId, req.name));
        if (!file) {
          await withDatabase(() => getRun(pool, req.runId));
          throw new NotFoundError(IngestCodes.fileNotFound, `Run ${req.runId} has no file named ${req.name}`);
        }
        const content = await objects.get(file.digest);
        call.write({ payload: { $case: 'metadata', value: fileToProto(file) } });
        for await (const chunk of content) {
          if (ctx.signal.aborted) {
            content.destroy();
            return;
          }
          // Respect the client's pace: a slow download must not pull the whole object into memory.
          if (!call.write({ payload: { $case: 'chunk', value: chunk as Buffer } })) await once(call, 'drain');
        }
      },
    ),
  };
}
