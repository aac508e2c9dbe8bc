/**
 * The only module that reads HX-* headers (house style §9.9). A route renders either the whole
 * page or, for an htmx request, the fragment from the same partial.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * True when htmx asked for a fragment. History-restore requests (htmx re-fetching a page missing
 * from its cache) need the full page, as does anything not sent by htmx. Sets `Vary: HX-Request`
 * so caches keep the two answers apart.
 */
export function isFragmentRequest(request: FastifyRequest, reply: FastifyReply): boolean {
  void reply.header('vary', 'HX-Request');
  return request.headers['hx-request'] === 'true' && request.headers['hx-history-restore-request'] !== 'true';
}

/** Sends the browser to `url`: a full navigation for htmx requests (HX-Redirect), a 303 otherwise. */
export function redirect(request: FastifyRequest, reply: FastifyReply, url: string): FastifyReply {
  if (request.headers['hx-request'] === 'true') return reply.header('hx-redirect', url).code(204).send();
  return reply.redirect(url, 303);
}
