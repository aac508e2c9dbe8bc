/**
 * Manual upload (for testing): a file streamed into the current run through RunService
 * UploadRunFile, and "Use this file" for the files of the last complete run, which streams
 * DownloadRunFile straight into UploadRunFile (the admin uploads nothing, nothing is buffered).
 * Only a complete run's data files are offered (and accepted): a failed or cancelled run's files
 * may be what broke it, and `_control` is managed on the control file page, not copied back.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { runsV1 } from '@usersync/contracts';
import { AppError } from '@usersync/platform';
import { isUploadName } from '@usersync/run-state';
import { actorOf, checkMultipartCsrf, MULTIPART_CSRF, type RouteContext } from './route-context.js';
import { runIdOf } from './runs.routes.js';
import { runLabels } from '../viewmodels/runs.labels.js';

/** The gateway's default MAX_UPLOAD_BYTES; RunService enforces its own limit too. */
const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;
// Upload names are run-state's rule; the length bound keeps a URL or form field small.
const NAME_MAX = 200;
/** How many pages of runs to look through for the current and the last applied run. */
const SCAN_PAGES = 5;

const S = runsV1.RunStatus;

/** Problems an admin can fix (bad name, wrong state) come back on the page; the rest are error pages. */
function userFacing(err: unknown): string | undefined {
  if (!(err instanceof AppError)) return undefined;
  return ['validation', 'conflict', 'not_found', 'too_large'].includes(err.kind) ? err.message : undefined;
}

/**
 * The complete run's files that may go into the current run: the data files the current control file
 * still expects (never `_control`), each marked when the current run already holds the same content.
 */
function reusableFiles(previous: runsV1.Run, current: runsV1.Run | undefined, expected: readonly string[]) {
  return previous.files
    .filter((f) => f.name !== '_control' && expected.includes(f.name))
    .map((f) => ({
      file: f,
      inCurrent: current?.files.some((c) => c.name === f.name && c.digest === f.digest) ?? false,
    }));
}

/** Registers /uploads. */
export function uploadsRoutes(ctx: RouteContext): FastifyPluginAsync {
  /** The open run (uploading or ready) and the last complete run, newest first. */
  async function findRuns(): Promise<{ current?: runsV1.Run; lastApplied?: runsV1.Run }> {
    let current: runsV1.Run | undefined;
    let lastApplied: runsV1.Run | undefined;
    let token = '';
    for (let i = 0; i < SCAN_PAGES && !(current && lastApplied); i++) {
      const page = await ctx.runs.listRuns(10, token);
      if (!page.available)
        throw new AppError('RUN_SERVICE_UNAVAILABLE', 'The run service is not answering.', 'retryable');
      for (const run of page.value.runs) {
        if (!current && !lastApplied && (run.status === S.RUN_STATUS_UPLOADING || run.status === S.RUN_STATUS_READY))
          current = run;
        if (!lastApplied && run.status === S.RUN_STATUS_COMPLETE) lastApplied = run;
      }
      token = page.value.nextPageToken;
      if (!token) break;
    }
    return { current, lastApplied };
  }

  async function page(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string; done?: string; name?: string } = {},
    status = 200,
  ) {
    const { current, lastApplied } = await findRuns();
    const [currentRun, previous, control] = await Promise.all([
      current ? ctx.runs.getRun(current.id) : undefined,
      lastApplied ? ctx.runs.getRun(lastApplied.id) : undefined,
      ctx.runs.getControlFile(),
    ]);
    return ctx.views.send(
      request,
      reply,
      'pages/uploads/index',
      {
        title: 'Upload a file',
        current: currentRun,
        previous,
        reusable: previous ? reusableFiles(previous, currentRun, control?.controlFile?.expectedFiles ?? []) : [],
        expected: control ? ['_control', ...control.controlFile!.expectedFiles] : ['_control'],
        labels: runLabels,
        error: extra.error,
        done: extra.done,
        name: extra.name ?? '',
      },
      status,
    );
  }

  return async (app) => {
    app.get<{ Querystring: { done?: string } }>('/uploads', async (request, reply) =>
      page(request, reply, {
        done: typeof request.query.done === 'string' ? request.query.done.slice(0, 200) : undefined,
      }),
    );

    app.post<{ Querystring: { name?: string } }>('/uploads', { config: MULTIPART_CSRF }, async (request, reply) => {
      if (!request.isMultipart()) return page(request, reply, { error: 'Choose a file to upload.' }, 400);
      let name = typeof request.query.name === 'string' ? request.query.name : '';
      let first = true;
      let outcome: { ok: true; file: runsV1.RunFile; run?: runsV1.Run } | { ok: false; error: string } | undefined;
      for await (const part of request.parts({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } })) {
        if (first)
          checkMultipartCsrf(request, part.type === 'field' ? part : { fieldname: part.fieldname, value: undefined });
        first = false;
        if (part.type === 'field') {
          if (part.fieldname === 'name' && typeof part.value === 'string') name = part.value.trim();
          continue;
        }
        if (!isUploadName(name, NAME_MAX)) {
          part.file.resume();
          outcome = {
            ok: false,
            error: 'Choose the name of the file (letters, digits, _ and - only) before the file.',
          };
          continue;
        }
        try {
          // The multipart stream goes straight into the gRPC stream: memory stays flat for any size.
          const res = await ctx.runs.uploadRunFile(
            { name, filename: part.filename || name },
            part.file,
            request.session!.admin,
          );
          if (part.file.truncated)
            throw new AppError('UPLOAD_TOO_LARGE', 'The file is larger than 1 GiB.', 'too_large');
          outcome = { ok: true, file: res.file!, run: res.run };
        } catch (err) {
          part.file.resume(); // discard what is left of the body so the response can be sent
          const message = userFacing(err);
          if (message === undefined) throw err;
          outcome = { ok: false, error: message };
        }
      }
      if (first) checkMultipartCsrf(request, { fieldname: '', value: undefined });
      if (!outcome) return page(request, reply, { error: 'Choose a file to upload.', name }, 400);
      if (!outcome.ok) return page(request, reply, { error: outcome.error, name }, 400);
      await ctx.audit.write({
        actor: actorOf(request),
        action: 'run_file.uploaded',
        target: `run:${outcome.run?.id ?? ''}`,
        detail: { name, filename: outcome.file.filename, digest: outcome.file.digest, size: outcome.file.size },
        ip: request.ip,
      });
      return reply.redirect(`/uploads?done=${encodeURIComponent(name)}`, 303);
    });

    app.post<{ Body: { runId?: unknown; name?: unknown } }>('/uploads/reuse', async (request, reply) => {
      const runId = runIdOf(typeof request.body?.runId === 'string' ? request.body.runId : '');
      const name = typeof request.body?.name === 'string' ? request.body.name : '';
      if (!isUploadName(name, NAME_MAX)) return page(request, reply, { error: 'That file name is not valid.' }, 400);
      if (name === '_control')
        return page(
          request,
          reply,
          { error: 'The control file is changed on the Control file page, not reused.' },
          400,
        );
      const from = await ctx.runs.getRun(runId);
      if (from.status !== S.RUN_STATUS_COMPLETE)
        return page(request, reply, { error: `Sync run ${runId} did not complete, so its files are not reused.` }, 400);
      const download = await ctx.runs.downloadRunFile(runId, name);
      try {
        const res = await ctx.runs.uploadRunFile(
          { name, filename: download.file.filename || name },
          download.content,
          request.session!.admin,
        );
        await ctx.audit.write({
          actor: actorOf(request),
          action: 'run_file.reused',
          target: `run:${res.run?.id ?? ''}`,
          detail: { name, fromRunId: runId, digest: res.file?.digest, size: res.file?.size },
          ip: request.ip,
        });
      } catch (err) {
        download.content.destroy();
        const message = userFacing(err);
        if (message === undefined) throw err;
        return page(request, reply, { error: message }, 400);
      }
      return reply.redirect(`/uploads?done=${encodeURIComponent(name)}`, 303);
    });
  };
}
