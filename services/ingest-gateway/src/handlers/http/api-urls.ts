/**
 * Absolute URLs of the upload API, built from the request they answer: its scheme and Host, and the
 * prefix it came in on (`/api/user-sync` or `/api/haplo-user-sync`), so a script can follow them as is.
 */
import type { FastifyRequest } from 'fastify';

/** `<scheme>://<host>` of the request (the server's own address when the client sent no Host). */
export function requestOrigin(request: FastifyRequest): string {
  let host = request.host;
  if (!host) {
    const { localAddress, localPort } = request.raw.socket;
    const address = localAddress?.includes(':') ? `[${localAddress}]` : (localAddress ?? 'localhost');
    host = localPort ? `${address}:${localPort}` : address;
  }
  return `${request.protocol}://${host}`;
}

/** The status URL of a run: `<origin><prefix>/runs/<id>`. */
export function runUrl(request: FastifyRequest, prefix: string, runId: number): string {
  return `${requestOrigin(request)}${prefix}/runs/${runId}`;
}

/** The runs list URL with a query: `<origin><prefix>/runs?…` (commas of a status list left readable). */
export function runListUrl(request: FastifyRequest, prefix: string, query: URLSearchParams): string {
  const search = query.toString().replace(/%2C/gi, ',');
  return `${requestOrigin(request)}${prefix}/runs${search ? `?${search}` : ''}`;
}
