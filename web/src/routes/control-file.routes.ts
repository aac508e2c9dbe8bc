/**
 * The control file: the current one (pretty JSON and expected files), its history, and uploading a
 * new one with a required reason. RunService validates it; every error comes back with its JSON path.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { runsV1 } from '@usersync/contracts';
import { addError, errorSummary, hasErrors, type FieldErrors } from '../security/form-errors.js';
import { actorOf, checkMultipartCsrf, MULTIPART_CSRF, type RouteContext } from './route-context.js';

/** RunService's own limit for a control file (MAX_CONTROL_BYTES default). */
const MAX_CONTROL_BYTES = 10 * 1024 * 1024;
const HISTORY_PAGE = 20;
const DIGEST = /^[0-9a-f]{64}$/;

function pretty(content: string): string {
  try {
    return JSON.stringify(JSON.parse(content), null, 2);
  } catch {
    return content;
  }
}

/** Reads a multipart form with a `reason` field and one `file` part, the file bounded in size. */
async function readUpload(
  request: FastifyRequest,
): Promise<{ reason: string; content: string | undefined; filename: string; tooLarge: boolean }> {
  let reason = '';
  let content: string | undefined;
  let filename = '';
  let tooLarge = false;
  let first = true;
  for await (const part of request.parts({ limits: { fileSize: MAX_CONTROL_BYTES, files: 1, fields: 5 } })) {
    if (first)
      checkMultipartCsrf(request, part.type === 'field' ? part : { fieldname: part.fieldname, value: undefined });
    first = false;
    if (part.type === 'field') {
      if (part.fieldname === 'reason' && typeof part.value === 'string') reason = part.value.trim().slice(0, 2000);
      continue;
    }
    filename = part.filename;
    const chunks: Buffer[] = [];
    for await (const chunk of part.file) chunks.push(chunk as Buffer);
    if (part.file.truncated) tooLarge = true;
    else if (chunks.length > 0) content = Buffer.concat(chunks).toString('utf8');
  }
  if (first) checkMultipartCsrf(request, { fieldname: '', value: undefined });
  return { reason, content, filename, tooLarge };
}

/** Registers /control-file and /control-file/upload. */
export function controlFileRoutes(ctx: RouteContext): FastifyPluginAsync {
  const uploadForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    data: { reason?: string; fields?: FieldErrors<'file' | 'reason'>; errors?: runsV1.ControlFileError[] },
    status = 200,
  ) => {
    // One summary (issue 17): the form's own problems, then each error of the file with its JSON path.
    const fields = data.fields ?? {};
    const summary = errorSummary(['cf-file', 'cf-reason'], {
      'cf-file': fields.file,
      'cf-reason': fields.reason,
    }).concat((data.errors ?? []).map((e) => ({ id: 'cf-file', message: `${e.path}: ${e.message}` })));
    return ctx.views.send(
      request,
      reply,
      'pages/control-file/upload',
      { title: 'Upload new control file', reason: '', errors: [], ...data, fields, summary },
      status,
    );
  };

  return async (app) => {
    app.get<{ Querystring: { digest?: string; page?: string; uploaded?: string } }>(
      '/control-file',
      async (request, reply) => {
        const digest = DIGEST.test(request.query.digest ?? '') ? request.query.digest : undefined;
        const page = typeof request.query.page === 'string' ? request.query.page.slice(0, 1000) : '';
        const [shown, history] = await Promise.all([
          ctx.runs.getControlFile(digest),
          ctx.runs.listControlFiles(HISTORY_PAGE, page),
        ]);
        return ctx.views.send(request, reply, 'pages/control-file/index', {
          title: digest ? 'Control file version' : 'Current control file',
          shown: shown && { ...shown, pretty: pretty(shown.content) },
          history,
          uploaded: request.query.uploaded === '1',
        });
      },
    );

    app.get('/control-file/upload', async (request, reply) => uploadForm(request, reply, {}));

    app.post('/control-file/upload', { config: MULTIPART_CSRF }, async (request, reply) => {
      if (!request.isMultipart())
        return uploadForm(request, reply, { fields: { file: ['Choose a control file to upload.'] } }, 400);
      const { reason, content, filename, tooLarge } = await readUpload(request);
      const fields: FieldErrors<'file' | 'reason'> = {};
      if (tooLarge) addError(fields, 'file', `The file is larger than ${MAX_CONTROL_BYTES / 1024 / 1024} MiB.`);
      else if (content === undefined) addError(fields, 'file', 'Choose a control file to upload.');
      if (reason === '') addError(fields, 'reason', 'Give a reason for the change: it is recorded in the history.');
      if (hasErrors(fields) || content === undefined) return uploadForm(request, reply, { reason, fields }, 400);
      const res = await ctx.runs.uploadControlFile(content, reason, request.session!.admin);
      if (res.errors.length > 0 || !res.controlFile) {
        return uploadForm(request, reply, { reason, errors: res.errors }, 400);
      }
      await ctx.audit.write({
        actor: actorOf(request),
        action: 'control_file.uploaded',
        target: `control_file:${res.controlFile.digest}`,
        detail: { reason, filename, size: res.controlFile.size, expectedFiles: res.controlFile.expectedFiles },
        ip: request.ip,
      });
      return reply.redirect('/control-file?uploaded=1', 303);
    });
  };
}
