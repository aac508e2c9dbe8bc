/**
 * How the SCIM endpoints answer: `application/scim+json` bodies (RFC 7644 §3.1), SCIM error bodies for
 * every failure, `ETag` and `Location` headers. Causes of 5xx (SQL, outages) are logged, never sent.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorEdges } from '@usersync/platform';
import { ScimError, errorBody, etagOf } from '@usersync/scim';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** Where this server's SCIM endpoints are, as the client reached them. */
export const baseUrlOf = (request: FastifyRequest) => `${request.protocol}://${request.host}/scim/v2`;

export function sendScim(reply: FastifyReply, status: number, body: unknown, version?: number): FastifyReply {
  if (version !== undefined) void reply.header('etag', etagOf(version));
  return reply.code(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

export function sendScimError(reply: FastifyReply, error: ScimError): FastifyReply {
  return reply
    .code(error.status)
    .type(SCIM_CONTENT_TYPE)
    .send(JSON.stringify(errorBody(error)));
}

/** A thrown error as a SCIM error: ours as they are, Fastify's 4xx with their status, the rest 503 or 500. */
export function toScimError(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  const fe = err as Partial<FastifyError>;
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const scimType = fe.statusCode === 400 ? 'invalidSyntax' : undefined;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return new ScimError(413, undefined, 'The request body is too large.');
    return new ScimError(fe.statusCode, scimType, fe.message ?? 'Bad request.');
  }
  if (errorEdges(err).http === 503)
    return new ScimError(
      503,
      undefined,
      'Service temporarily unavailable (database or key service down). Try again later.',
    );
  return new ScimError(500, undefined, 'Internal error. The administrator can find details in the log.');
}

/** JSON bodies of any content type (clients send application/scim+json, application/json, or none). */
export function registerScimBodies(api: FastifyInstance, bodyLimit: number): void {
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new ScimError(400, 'invalidSyntax', `The request body is not JSON: ${(err as Error).message}.`), undefined);
    }
  });
  api.setErrorHandler((err, request, reply) => {
    const error = toScimError(err);
    if (error.status >= 500) request.log.error({ err }, 'scim request failed');
    else request.log.info({ status: error.status, scimType: error.scimType }, 'scim request refused');
    return sendScimError(reply, error);
  });
  api.setNotFoundHandler((request, reply) =>
    sendScimError(reply, new ScimError(404, undefined, `There is no SCIM endpoint ${request.method} ${request.url}.`)),
  );
}
