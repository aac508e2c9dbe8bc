/**
 * The upload API answers errors as plain text, as Haplo does: scripts print the body. Kinds map to
 * statuses through the platform's one table (errorEdges); causes (SQL, S3) are logged, never sent.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, errorEdges } from '@usersync/platform';
import { MultipartCodes } from './multipart-errors.js';

const UNAVAILABLE = 'Service temporarily unavailable (storage, database or message broker down). Try again later.';
const OBJECT_TOO_LARGE = 'OBJECT_TOO_LARGE';

type Known = (err: Partial<FastifyError>) => { statusCode: number; body: string };

/** fastify's own refusals, reworded to say what the API takes. */
const FASTIFY_MESSAGES: Record<string, Known> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => ({
    statusCode: 415,
    body: 'Unsupported Content-Type: upload-file takes multipart/form-data; start-sync takes no body (or an empty form).',
  }),
  FST_ERR_CTP_INVALID_JSON_BODY: () => ({
    statusCode: 400,
    body: 'Malformed body: Content-Type says application/json but the body is not valid JSON (start-sync needs no body).',
  }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ({
    statusCode: 400,
    body: 'Malformed body: Content-Type says application/json but the body is empty (start-sync needs no body).',
  }),
  FST_ERR_CTP_BODY_TOO_LARGE: (err) => ({
    statusCode: 413,
    body: `Request body too large: ${err.message ?? 'over the limit'} (start-sync needs no body).`,
  }),
};

/** The status and body for any error thrown by an API route. */
export function plainError(err: unknown, maxBytes: number): { statusCode: number; body: string } {
  if (!(err instanceof AppError)) {
    const fastifyErr = err as Partial<FastifyError>;
    // fastify's own client errors (bad content type, malformed multipart) carry a 4xx status.
    const known = fastifyErr.code ? FASTIFY_MESSAGES[fastifyErr.code] : undefined;
    if (known) return known(fastifyErr);
    if (typeof fastifyErr.statusCode === 'number' && fastifyErr.statusCode >= 400 && fastifyErr.statusCode < 500) {
      return { statusCode: fastifyErr.statusCode, body: fastifyErr.message ?? 'Bad request' };
    }
  }
  const edges = errorEdges(err);
  if (edges.http === 503) return { statusCode: 503, body: UNAVAILABLE };
  if (edges.http === 500)
    return { statusCode: 500, body: 'Internal error. The administrator can find details in the log.' };
  if (edges.code === MultipartCodes.notMultipart) return { statusCode: 415, body: edges.publicMessage };
  if (edges.code === OBJECT_TOO_LARGE) {
    return { statusCode: 413, body: `File is larger than the maximum upload size of ${maxBytes} bytes.` };
  }
  return { statusCode: edges.http, body: edges.publicMessage };
}

/** Installs the plain-text error and not-found handlers on an API scope. */
export function registerPlainErrors(app: FastifyInstance, maxBytes: number): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return reply
      .code(404)
      .type('text/plain; charset=utf-8')
      .send(
        `Not found: ${request.method} ${path}. The API has POST upload-file, POST start-sync[/json|/xml], ` +
          `GET runs and GET runs/:id under ${app.prefix}.`,
      );
  });
  app.setErrorHandler((err, request, reply) => {
    // The body timeout already answered 408 on the raw response; nothing more can be sent.
    if (request.bodyTimedOut || reply.raw.headersSent) return reply.hijack();
    const { statusCode, body } = plainError(err, maxBytes);
    if (statusCode >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ statusCode, code: errorEdges(err).code }, 'request refused');
    // A body still arriving (an upload refused part-way) is not worth keeping the connection for.
    if (!request.raw.complete) void reply.header('connection', 'close');
    return reply.code(statusCode).type('text/plain; charset=utf-8').send(body);
  });
}
