/** RunService writes on runs: manual upload and the admin actions. */
import { Readable } from 'node:stream';
import type { Pool } from 'pg';
import type { runsV1 } from '@usersync/contracts';
import { clientStreamHandler, unaryHandler, ValidationError, withDatabase } from '@usersync/platform';
import { approvalScopeFromProto, type RunRow } from '@usersync/run-state';
import type { RunActions } from '../../usecases/run-actions.command.js';
import { requireActor } from '../../domain/actor.js';
import { IngestCodes } from '../../domain/messages.js';
import { listRunFiles } from '../../store/run-files.repository.js';
import type { RunUploader } from '../../usecases/run-upload.js';
import { undoRun } from '../../usecases/undo-run.command.js';
import { fileToProto, runToProto } from './run-mapper.js';

export interface CommandDeps {
  pool: Pool;
  uploader: RunUploader;
  actions: RunActions;
}

function badStream(message: string): ValidationError {
  return new ValidationError(IngestCodes.badUploadStream, message);
}

/** Handlers of the run-changing RPCs. */
export function createRunCommandHandlers({ pool, uploader, actions }: CommandDeps) {
  const withFiles = async (run: RunRow) => runToProto(run, await withDatabase(() => listRunFiles(pool, run.id)));

  return {
    uploadRunFile: clientStreamHandler<runsV1.UploadRunFileRequest, runsV1.UploadRunFileResponse>(async (call) => {
      const messages = call[Symbol.asyncIterator]() as AsyncIterator<runsV1.UploadRunFileRequest>;
      const first = await messages.next();
      const payload = first.done ? undefined : first.value.payload;
      if (payload?.$case !== 'metadata') throw badStream('the first UploadRunFile message must carry metadata');
      const meta = payload.value;
      const actor = requireActor(meta.actor);
      async function* chunks(): AsyncGenerator<Buffer> {
        for (;;) {
          const next = await messages.next();
          if (next.done) return;
          if (next.value.payload?.$case !== 'chunk') throw badStream('only the first message may carry metadata');
          yield Buffer.from(next.value.payload.value);
        }
      }
      const outcome = await uploader.upload({
        name: meta.name,
        filename: meta.filename,
        content: Readable.from(chunks()),
        actor,
      });
      return { file: fileToProto(outcome.file), run: await withFiles(outcome.run) };
    }),

    applyRun: unaryHandler<runsV1.ApplyRunRequest, runsV1.ApplyRunResponse>(async (req) => ({
      run: await withFiles(
        await actions.apply(req.runId, requireActor(req.actor), {
          scope: approvalScopeFromProto(req.scope, req.reason),
          reason: req.reason,
        }),
      ),
    })),

    reapplyRun: unaryHandler<runsV1.ReapplyRunRequest, runsV1.ReapplyRunResponse>(async (req) => ({
      run: await withFiles(await actions.reapply(req.runId, requireActor(req.actor))),
    })),

    undoRun: unaryHandler<runsV1.UndoRunRequest, runsV1.UndoRunResponse>(async (req) => ({
      run: await withFiles(
        await undoRun(pool, {
          runId: req.runId,
          actor: requireActor(req.actor),
          includeUsernames: req.includeUsernames,
          reason: req.reason,
        }),
      ),
    })),

    cancelRun: unaryHandler<runsV1.CancelRunRequest, runsV1.CancelRunResponse>(async (req) => ({
      run: await withFiles(await actions.cancel(req.runId, requireActor(req.actor), req.reason.trim())),
    })),

    forceCancelRun: unaryHandler<runsV1.ForceCancelRunRequest, runsV1.ForceCancelRunResponse>(async (req) => ({
      run: await withFiles(await actions.forceCancel(req.runId, requireActor(req.actor), req.reason.trim())),
    })),
  };
}
