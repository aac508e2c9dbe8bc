/**
 * The control file: the current one (pretty JSON and expected files), its history, and uploading a
 * new one with a required reason. RunService validates it; every error comes back with its JSON path.
 * Each source has its own: `?source=scim` shows and replaces the SCIM source's (which maps the SCIM
 * batcher's snapshot; without one its runs use the built-in mapping).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { runsV1 } from '@usersync/contracts';
import { addError, errorSummary, hasErrors, type FieldErrors } from '../security/form-errors.js';
import type { RunSource } from '@usersync/run-state';
import { actorOf, checkMultipartCsrf, MULTIPART_CSRF, type RouteContext } from './route-context.js';

/** RunService's own limit for a control file (MAX_CONTROL_BYTES default). */
const MAX_CONTROL_BYTES = 10 * 1024 * 1024;
const HISTORY_PAGE = 20;
const DIGEST = /^[0-9a-f]{64}$/;

/** The `source` of a query or form: "scim", or the file feed for anything else. */
const sourceOf = (value: unknown): RunSource => (value === 'scim' ? 'scim' : 'file');
/** The page's own address for a source, with more query parameters after it. */
const pageOf = (source: RunSource, path: string, query = '') => {
  const params = [source === 'scim' ? 'source=scim' : '', query].filter(Boolean).join('&');
  return params ? `${path}?${params}` : path;
};

function pretty(content: string): string {
  try {
    return JSON.stringify(JSON.parse(content), null, 2);
  } catch {
    return content;
  }
}

/** Reads a multipart form with a `reason` field and one `file` part, the file bounded in size. */
async function readUpload(request: FastifyRequest): Promise<{
  reason: string;
  source: RunSource;
  content: string | undefined;
  filename: string;
  tooLarge: boolean;
}> {
  let reason = '';
  let source: RunSource = 'file';
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
      if (part.fieldname === 'source') source = sourceOf(part.value);
      continue;
    }
    filename = part.filename;
    const chunks: Buffer[] = [];
    for await (const chunk of part.file) chunks.push(chunk as Buffer);
    if (part.file.truncated) tooLarge = true;
    else if (chunks.length > 0) content = Buffer.concat(chunks).toString('utf8');
  }
  if (first) checkMultipartCsrf(request, { fieldname: '', value: undefined });
  return { reason, source, content, filename, tooLarge };
}

/** Registers /control-file and /control-file/upload. */
export function controlFileRoutes(ctx: RouteContext): FastifyPluginAsync {
  const uploadForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    data: {
      source: RunSource;
      reason?: string;
      fields?: FieldErrors<'file' | 'reason'>;
      errors?: runsV1.ControlFileError[];
    },
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
      {
        title: data.source === 'scim' ? 'Upload a SCIM source control file' : 'Upload new control file',
        reason: '',
        errors: [],
        ...data,
        fields,
        summary,
        back: pageOf(data.source, '/control-file'),
      },
      status,
    );
  };

  return async (app) => {
    app.get<{ Querystring: { digest?: string; page?: string; uploaded?: string; source?: string } }>(
      '/control-file',
      async (request, reply) => {
        const digest = DIGEST.test(request.query.digest ?? '') ? request.query.digest : undefined;
        const page = typeof request.query.page === 'string' ? request.query.page.slice(0, 1000) : '';
        const shown = await ctx.runs.getControlFile(digest, sourceOf(request.query.source));
        // A version's own source wins over the query, so a history link never shows the other list.
        const source = sourceOf(digest && shown ? shown.controlFile?.source : request.query.source);
        const history = await ctx.runs.listControlFiles(HISTORY_PAGE, page, source);
        return ctx.views.send(request, reply, 'pages/control-file/index', {
          title:
            source === 'scim' ? 'SCIM source control file' : digest ? 'Control file version' : 'Current control file',
          source,
          sources: [
            ['file', 'File feed', pageOf('file', '/control-file')],
            ['scim', 'SCIM source', pageOf('scim', '/control-file')],
          ],
          shown: shown && { ...shown, pretty: pretty(shown.content) },
          history,
          uploadHref: pageOf(source, '/control-file/upload'),
          olderHref: (token: string) => pageOf(source, '/control-file', `page=${encodeURIComponent(token)}`),
          uploaded: request.query.uploaded === '1',
        });
      },
    );

    app.get<{ Querystring: { source?: string } }>('/control-file/upload', async (request, reply) =>
      uploadForm(request, reply, { source: sourceOf(request.query.source) }),
    );

    app.post('/control-file/upload', { config: MULTIPART_CSRF }, async (request, reply) => {
      if (!request.isMultipart())
        return uploadForm(
          request,
          reply,
          { source: 'file', fields: { file: ['Choose a control file to upload.'] } },
          400,
        );
      const { reason, source, content, filename, tooLarge } = await readUpload(request);
      const fields: FieldErrors<'file' | 'reason'> = {};
      if (tooLarge) addError(fields, 'file', `The file is larger than ${MAX_CONTROL_BYTES / 1024 / 1024} MiB.`);
      else if (content === undefined) addError(fields, 'file', 'Choose a control file to upload.');
      if (reason === '') addError(fields, 'reason', 'Give a reason for the change: it is recorded in the history.');
      if (hasErrors(fields) || content === undefined)
        return uploadForm(request, reply, { source, reason, fields }, 400);
      const res = await ctx.runs.uploadControlFile(content, reason, request.session!.admin, source);
      if (res.errors.length > 0 || !res.controlFile) {
        return uploadForm(request, reply, { source, reason, errors: res.errors }, 400);
      }
      await ctx.audit.write({
        actor: actorOf(request),
        action: 'control_file.uploaded',
        target: `control_file:${res.controlFile.digest}`,
        detail: {
          reason,
          filename,
          size: res.controlFile.size,
          expectedFiles: res.controlFile.expectedFiles,
          source,
        },
        ip: request.ip,
      });
      return reply.redirect(pageOf(source, '/control-file', 'uploaded=1'), 303);
    });
  };
}
