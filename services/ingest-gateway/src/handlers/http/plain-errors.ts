/**
 * The upload API answers errors as plain text, as Haplo does: scripts print the body. Kinds map to
 * statuses through the platform's one table (errorEdges); causes (SQL, S3) are logged, never sent.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, errorEdges } from '@usersync/platform';

const UNAVAILABLE = 'Service temporarily unavailable (storage, database or message broker down). Try again later.';
const OBJECT_TOO_LARGE = 'OBJECT_TOO_LARGE';

/** The status and body for any error thrown by an API route. */
export function plainError(err: unknown, maxBytes: number): { statusCode: number; body: string } {
  if (!(err instanceof AppError)) {
    const fastifyErr = err as Partial<FastifyError>;
    // fastify's own client errors (bad content type, malformed multipart) carry a 4xx status.
    if (typeof fastifyErr.statusCode === 'number' && fastifyErr.statusCode >= 400 && fastifyErr.statusCode < 500) {
      return { statusCode: fastifyErr.statusCode, body: fastifyErr.message ?? 'Bad request' };
    }
  }
  const edges = errorEdges(err);
  if (edges.http === 503) return { statusCode: 503, body: UNAVAILABLE };
  if (edges.http === 500)
    return { statusCode: 500, body: 'Internal error. The administrator can find details in the log.' };
  if (edges.code === OBJECT_TOO_LARGE) {
    return { statusCode: 413, body: `File is larger than the maximum upload size of ${maxBytes} bytes.` };
  }
  return { statusCode: edges.http, body: edges.publicMessage };
}

/** Installs the plain-text error handler on an API scope. */
export function registerPlainErrors(app: FastifyInstance, maxBytes: number): void {
  app.setErrorHandler((err, request, reply) => {
    const { statusCode, body } = plainError(err, maxBytes);
    if (statusCode >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ statusCode, code: errorEdges(err).code }, 'request refused');
    // A body still arriving (an upload refused part-way) is not worth keeping the connection for.
    if (!request.raw.complete) void reply.header('connection', 'close');
    return reply.code(statusCode).type('text/plain; charset=utf-8').send(body);
  });
}
