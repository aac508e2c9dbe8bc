/**
 * The portal's RunService client. Reads used by the dashboard come back as an Availability (a peer
 * that is down must not take the dashboard down); everything else rejects with an AppError that the
 * error page maps. File transfers are streamed both ways with backpressure: no file is buffered.
 */
import { once } from 'node:events';
import { Readable } from 'node:stream';
import type * as grpc from '@grpc/grpc-js';
import { runsV1 } from '@usersync/contracts';
import { AppError, createGrpcClient, fromServiceError, unary } from '@usersync/platform';
import type { RunSource } from '@usersync/run-state';
import { adminActorProto, type AdminActor } from './key.client.js';

/** A result that may be missing because the peer is down or does not implement the call yet. */
export type Availability<T> =
  { available: true; value: T } | { available: false; reason: 'unimplemented' | 'unavailable' };

/** A file download in progress: its metadata (already received) and the content still to come. */
export interface RunFileDownload {
  file: runsV1.RunFile;
  content: Readable;
}

/** What web needs from RunService. */
export interface RunClient {
  /** Runs newest first; `source` 'file' or 'scim' lists only that source's runs ('' every source). */
  listRuns(pageSize: number, pageToken?: string, source?: string): Promise<Availability<runsV1.ListRunsResponse>>;
  getConfig(): Promise<Availability<runsV1.GetConfigResponse>>;
  /** Finished runs per day of the last `days` days in `timeZone` (the dashboard's chart). */
  getRunHistory(days: number, timeZone: string): Promise<Availability<runsV1.GetRunHistoryResponse>>;
  /** Held runs, failures since the last success, last success and upload (the dashboard's "Needs you"). */
  getRunAttention(): Promise<Availability<runsV1.GetRunAttentionResponse>>;
  getRun(runId: number): Promise<runsV1.Run>;
  getRunLog(req: Partial<runsV1.GetRunLogRequest> & { runId: number }): Promise<runsV1.GetRunLogResponse>;
  getRunPlan(req: Partial<runsV1.GetRunPlanRequest> & { runId: number }): Promise<runsV1.GetRunPlanResponse>;
  downloadRunFile(runId: number, name: string): Promise<RunFileDownload>;
  uploadRunFile(
    file: { name: string; filename: string },
    content: AsyncIterable<Buffer | Uint8Array>,
    by: AdminActor,
  ): Promise<runsV1.UploadRunFileResponse>;
  /** Apply a run, all of it or (scope) part of its plan; `reason` is recorded with the decision. */
  applyRun(
    runId: number,
    by: AdminActor,
    decision?: { scope?: runsV1.ApprovalScope; reason?: string },
  ): Promise<runsV1.Run>;
  reapplyRun(runId: number, by: AdminActor): Promise<runsV1.Run>;
  /** Open the undo of a complete run (held for review); `includeUsernames`: users changed later to restore too. */
  undoRun(runId: number, by: AdminActor, req: { includeUsernames: string[]; reason: string }): Promise<runsV1.Run>;
  cancelRun(runId: number, by: AdminActor, reason?: string): Promise<runsV1.Run>;
  forceCancelRun(runId: number, by: AdminActor, reason?: string): Promise<runsV1.Run>;
  updateConfig(config: runsV1.SyncConfig, by: AdminActor): Promise<runsV1.SyncConfig>;
  /**
   * The source's current control file (the SCIM source's built-in mapping until one is uploaded), or the
   * version with `digest` whatever its source; undefined when there is none.
   */
  getControlFile(digest?: string, source?: RunSource): Promise<runsV1.GetControlFileResponse | undefined>;
  listControlFiles(pageSize: number, pageToken?: string, source?: RunSource): Promise<runsV1.ListControlFilesResponse>;
  uploadControlFile(
    content: string,
    reason: string,
    by: AdminActor,
    source?: RunSource,
  ): Promise<runsV1.UploadControlFileResponse>;
  close(): void;
}

/** File transfers may be large; they get this long instead of the page deadline. */
const TRANSFER_DEADLINE_MS = 60 * 60_000;

const actorOf = adminActorProto;

/** UNIMPLEMENTED comes back as an internal AppError whose code names the status. */
function unavailable(err: unknown): { available: false; reason: 'unimplemented' | 'unavailable' } {
  const code = (err as { code?: unknown }).code;
  return { available: false, reason: code === 'GRPC_UNIMPLEMENTED' ? 'unimplemented' : 'unavailable' };
}

async function attempt<T>(call: () => Promise<T>, onError: (err: unknown) => void): Promise<Availability<T>> {
  try {
    return { available: true, value: await call() };
  } catch (err) {
    onError(err);
    return unavailable(err);
  }
}

const asAppError = (err: unknown): unknown =>
  err instanceof AppError || typeof (err as { code?: unknown }).code !== 'number'
    ? err
    : fromServiceError(err as grpc.ServiceError);

/** Connects (lazily) to RunService at `address`; unary calls get a short deadline since pages wait on them. */
export function createRunClient(
  address: string,
  onError: (err: unknown) => void,
  opts: { deadlineMs?: number } = {},
): RunClient {
  const client = createGrpcClient(runsV1.RunServiceClient, address, { deadlineMs: opts.deadlineMs ?? 5_000 });
  // Method names are given as type arguments: inference over the generated overloads widens the response type.
  type C = runsV1.RunServiceClient;
  const required = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new AppError('RUN_SERVICE_BAD_RESPONSE', `run service returned no ${what}`, 'internal');
    return v;
  };

  async function downloadRunFile(runId: number, name: string): Promise<RunFileDownload> {
    const call = client.downloadRunFile({ runId, name }, { deadline: Date.now() + TRANSFER_DEADLINE_MS });
    const messages = call[Symbol.asyncIterator]() as AsyncIterator<runsV1.DownloadRunFileResponse>;
    let first: IteratorResult<runsV1.DownloadRunFileResponse>;
    try {
      first = await messages.next();
    } catch (err) {
      throw asAppError(err);
    }
    if (first.done || first.value.payload?.$case !== 'metadata') {
      call.cancel();
      throw new AppError('RUN_SERVICE_BAD_RESPONSE', 'download did not start with the file metadata', 'internal');
    }
    async function* chunks(): AsyncGenerator<Buffer> {
      try {
        for (;;) {
          const next = await messages.next();
          if (next.done) return;
          if (next.value.payload?.$case === 'chunk') yield Buffer.from(next.value.payload.value);
        }
      } catch (err) {
        throw asAppError(err);
      } finally {
        call.cancel();
      }
    }
    return { file: first.value.payload.value, content: Readable.from(chunks(), { objectMode: false }) };
  }

  function uploadRunFile(
    file: { name: string; filename: string },
    content: AsyncIterable<Buffer | Uint8Array>,
    by: AdminActor,
  ): Promise<runsV1.UploadRunFileResponse> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finished = new AbortController();
      const call = client.uploadRunFile({ deadline: Date.now() + TRANSFER_DEADLINE_MS }, (err, res) => {
        settled = true;
        finished.abort();
        if (err) reject(fromServiceError(err));
        else resolve(res);
      });
      const send = async () => {
        call.write({ payload: { $case: 'metadata', value: { ...file, actor: actorOf(by) } } });
        for await (const chunk of content) {
          if (settled) return; // the server already answered (refused): stop reading
          if (!call.write({ payload: { $case: 'chunk', value: Buffer.from(chunk) } })) {
            await once(call, 'drain', { signal: finished.signal }).catch(() => undefined);
          }
        }
        call.end();
      };
      send().catch((err: unknown) => {
        call.cancel();
        if (!settled) reject(err instanceof Error ? err : new Error(String(err)));
        settled = true;
      });
    });
  }

  return {
    listRuns: (pageSize, pageToken = '', source = '') =>
      attempt(() => unary<C, 'listRuns'>(client, 'listRuns', { pageSize, pageToken, source }), onError),
    getConfig: () => attempt(() => unary<C, 'getConfig'>(client, 'getConfig', {}), onError),
    getRunHistory: (days, timeZone) =>
      attempt(() => unary<C, 'getRunHistory'>(client, 'getRunHistory', { days, timeZone }), onError),
    getRunAttention: () => attempt(() => unary<C, 'getRunAttention'>(client, 'getRunAttention', {}), onError),
    getRun: async (runId) => required((await unary<C, 'getRun'>(client, 'getRun', { runId })).run, 'run'),
    getRunLog: (req) =>
      // fromPartial fills proto defaults for absent and undefined fields (an unset filter means "all").
      unary<C, 'getRunLog'>(client, 'getRunLog', runsV1.GetRunLogRequest.fromPartial(req)),
    getRunPlan: (req) => unary<C, 'getRunPlan'>(client, 'getRunPlan', runsV1.GetRunPlanRequest.fromPartial(req)),
    downloadRunFile,
    uploadRunFile,
    applyRun: async (runId, by, decision = {}) =>
      required(
        (
          await unary<C, 'applyRun'>(client, 'applyRun', {
            runId,
            actor: actorOf(by),
            scope: decision.scope,
            reason: decision.reason ?? '',
          })
        ).run,
        'run',
      ),
    reapplyRun: async (runId, by) =>
      required((await unary<C, 'reapplyRun'>(client, 'reapplyRun', { runId, actor: actorOf(by) })).run, 'run'),
    undoRun: async (runId, by, req) =>
      required((await unary<C, 'undoRun'>(client, 'undoRun', { runId, actor: actorOf(by), ...req })).run, 'run'),
    cancelRun: async (runId, by, reason = '') =>
      required((await unary<C, 'cancelRun'>(client, 'cancelRun', { runId, actor: actorOf(by), reason })).run, 'run'),
    forceCancelRun: async (runId, by, reason = '') =>
      required(
        (await unary<C, 'forceCancelRun'>(client, 'forceCancelRun', { runId, actor: actorOf(by), reason })).run,
        'run',
      ),
    updateConfig: async (config, by) =>
      required(
        (await unary<C, 'updateConfig'>(client, 'updateConfig', { config, actor: actorOf(by) })).config,
        'config',
      ),
    getControlFile: async (digest, source = 'file') => {
      try {
        return await unary<C, 'getControlFile'>(client, 'getControlFile', { digest, source });
      } catch (err) {
        if ((err as { kind?: unknown }).kind === 'not_found') return undefined;
        throw err;
      }
    },
    listControlFiles: (pageSize, pageToken = '', source = 'file') =>
      unary<C, 'listControlFiles'>(client, 'listControlFiles', { pageSize, pageToken, source }),
    uploadControlFile: (content, reason, by, source = 'file') =>
      unary<C, 'uploadControlFile'>(client, 'uploadControlFile', { content, reason, actor: actorOf(by), source }),
    close: () => client.close(),
  };
}
