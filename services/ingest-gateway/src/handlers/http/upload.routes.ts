/**
 * `POST …/upload-file` (reference §1.4): multipart `name` (or `?name=`, as Haplo's Windows uploader
 * sends it) and `file`, streamed straight into the shared run uploader.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '@usersync/platform';
import { IngestCodes } from '../../domain/messages.js';
import type { RunUploader, StagedUpload, UploadOutcome } from '../../usecases/run-upload.js';
import { runUrl } from './api-urls.js';
import { discardRemainingBody } from './discard-body.js';
import { multipartClientError, type MultipartPosition } from './multipart-errors.js';
import { UPLOAD_BODY, UPLOAD_ROUTE } from './upload-schemas.js';

/** How much of a refused upload is read and dropped before the connection is closed instead. */
const DISCARD_LIMIT = 256 * 1024 * 1024;

interface UploadQuery {
  name?: string | string[];
  rdr?: string | string[];
}

/** A redirect target must be a path on this server (Haplo's `rdr`), never another site. */
export function isLocalPath(rdr: string | undefined): rdr is string {
  return !!rdr && rdr.startsWith('/') && !rdr.startsWith('//') && !rdr.includes('\\');
}

/**
 * The response body: Haplo's pretty-printed `{digest, fileSize, filename}` (those first, unchanged), then
 * the run the file landed in and its status URL.
 */
export function uploadResponseBody(outcome: UploadOutcome, runStatusUrl: string): string {
  const { file, run } = outcome;
  return JSON.stringify(
    { digest: file.digest, fileSize: file.size, filename: file.filename, runId: run.id, runUrl: runStatusUrl },
    null,
    2,
  );
}

async function receive(request: FastifyRequest, uploader: RunUploader, maxBytes: number, pos: MultipartPosition) {
  const query = request.query as UploadQuery;
  let name = single(query.name, 'name');
  let rdr = single(query.rdr, 'rdr');
  let staged: StagedUpload | undefined;
  // busboy hands parts over in the order the client sent them; the file is streamed as it arrives,
  // so its name must be known before it (Haplo's curl sends name first).
  const parts = request.parts({ limits: { fileSize: maxBytes + 1, fields: 20, parts: 40 } });
  for await (const part of parts) {
    pos.part++;
    pos.field = part.fieldname;
    pos.fileBytes = undefined;
    if (part.type === 'field') {
      if (part.fieldname === 'name') name = String(part.value);
      else if (part.fieldname === 'rdr') rdr = String(part.value);
      continue;
    }
    if (part.fieldname !== 'file' || staged) {
      part.file.resume();
      continue;
    }
    if (!name) {
      throw new ValidationError(
        IngestCodes.nameAfterFile,
        'Missing name: send the name field before the file field, or name in the query string (?name=…).',
      );
    }
    const file = part.file as typeof part.file & { bytesRead?: number };
    try {
      staged = await uploader.stage({ name, filename: part.filename ?? '', content: file, actor: request.actor! });
    } finally {
      pos.fileBytes = file.bytesRead;
    }
  }
  if (!staged) throw new ValidationError(IngestCodes.noFile, 'Missing file: send the file content in the file field.');
  // Recorded only now: every part parsed, and the body arrived to its declared end.
  await bodyReceived(request.raw);
  return { outcome: await staged.commit(), rdr };
}

/**
 * Resolves when the request's body has arrived to its declared end. A multipart body can close its last
 * part before that (a Content-Length that overstates it): the upload then waits, and the body timeout
 * answers 408 and closes the connection, which rejects here, so nothing is recorded.
 */
function bodyReceived(raw: IncomingMessage): Promise<void> {
  if (raw.complete) return Promise.resolve();
  const incomplete = () =>
    new ValidationError(IngestCodes.bodyIncomplete, 'The request body ended before its declared length.');
  // Already ended or closed without completing: no event is coming.
  if (raw.readableEnded || raw.destroyed) return Promise.reject(incomplete());
  return new Promise((resolve, reject) => {
    const settle = () => {
      raw.off('end', settle);
      raw.off('close', settle);
      if (raw.complete) resolve();
      else reject(incomplete());
    };
    raw.once('end', settle);
    raw.once('close', settle);
  });
}

/** A query parameter given once; `?name=a&name=b` is refused rather than guessed. */
function single(value: string | string[] | undefined, param: string): string | undefined {
  if (!Array.isArray(value)) return value;
  throw new ValidationError(IngestCodes.badName, `Invalid query string: ${param} is given ${value.length} times.`);
}

/** Registers the upload route in an API scope (auth and plain errors come from the scope). */
export function registerUploadRoutes(app: FastifyInstance, opts: { uploader: RunUploader; maxBytes: number }): void {
  const prefix = app.prefix;
  const routeOptions = {
    schema: UPLOAD_ROUTE,
    attachValidation: true,
    config: { openapiBody: { contentType: 'multipart/form-data', schema: UPLOAD_BODY } },
  };
  app.post('/upload-file', routeOptions, async (request, reply) => {
    let result: Awaited<ReturnType<typeof receive>>;
    const pos: MultipartPosition = { part: 0 };
    try {
      result = await receive(request, opts.uploader, opts.maxBytes, pos);
    } catch (err) {
      await discardRemainingBody(request.raw, DISCARD_LIMIT);
      throw multipartClientError(err, pos, request.headers['content-type']) ?? err;
    }
    const { outcome, rdr } = result;
    request.log.info(
      { runId: outcome.run.id, name: outcome.file.name, size: outcome.file.size, reused: outcome.reused },
      'file uploaded',
    );
    if (isLocalPath(rdr)) return reply.redirect(rdr, 302);
    return reply
      .code(200)
      .type('application/json; charset=utf-8')
      .send(uploadResponseBody(outcome, runUrl(request, prefix, outcome.run.id)));
  });
}
