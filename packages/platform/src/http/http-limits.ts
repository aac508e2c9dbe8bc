/**
 * Timeouts and limits of the HTTP services (ingest-gateway, web), so a slow or broken client can
 * neither hold a connection forever nor get a 500:
 *
 * - headers slower than `headersTimeoutMs` → Node answers 408 and closes (checked every second);
 * - a whole request slower than `requestTimeoutMs` (0 = no limit: a 1 GiB upload on a slow line
 *   may take long, which the body timeout below bounds better) → 408;
 * - a request body that stops arriving for `bodyTimeoutMs` (a Content-Length larger than what was
 *   sent, a client that stalls) → 408 with a message saying how much arrived, then the connection closes;
 * - a request Node's parser refuses (bare LF, bad header bytes, oversized headers) → 400/431 as
 *   plain text naming the parser's reason and where it stopped.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';

export interface HttpLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Largest request head (request line + headers), bytes; Node's default is 16 KiB. */
  maxHeaderBytes?: number;
  /**
   * Answers a request fastify refused before routing (an undecodable URL, a path parameter too long)
   * in the shape of the API it was meant for; return false to get the plain-text answer.
   */
  frameworkErrorAnswer?: (request: FastifyRequest, reply: FastifyReply, message: string) => boolean;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 0,
  bodyTimeoutMs: 30_000,
  maxHeaderBytes: 16 * 1024,
};

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the body timeout answered 408: the route's own answer must not follow. */
    bodyTimedOut?: boolean;
  }
}

interface ParserError extends Error {
  code?: string;
  reason?: string;
  bytesParsed?: number;
}

/** The plain-text answer to a request Node's HTTP parser refused (fastify's `clientErrorHandler`). */
export function clientErrorAnswer(err: ParserError): { status: number; body: string } | undefined {
  if (err.code === 'ECONNRESET') return undefined;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, body: 'Request timed out: the request line, headers or body arrived too slowly.' };
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, body: 'Request headers too large: the request line and headers exceed the limit.' };
  }
  const where = typeof err.bytesParsed === 'number' ? ` at byte ${err.bytesParsed} of the request` : '';
  const why = err.reason ?? err.message;
  return { status: 400, body: `Malformed HTTP request: ${why} (${err.code ?? 'parse error'})${where}.` };
}

function answerOnSocket(socket: Socket, status: number, body: string): void {
  if (socket.destroyed) return;
  if (socket.writable) {
    const bytes = Buffer.from(body, 'utf8');
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${bytes.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon?.();
}

/** Fastify server options carrying the limits (pass to `Fastify({...opts, ...httpServerOptions(l)})`). */
export function httpServerOptions(limits: HttpLimits): Partial<FastifyServerOptions> {
  // Node requires headersTimeout ≤ requestTimeout when the latter is set.
  const headersTimeout =
    limits.requestTimeoutMs > 0 ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) : limits.headersTimeoutMs;
  return {
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout,
      // Node looks for expired heads this often (30 s by default, far coarser than the limit).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 4))),
      ...(limits.maxHeaderBytes ? { maxHeaderSize: limits.maxHeaderBytes } : {}),
    },
    // A URL fastify cannot decode (`/runs/%ZZ`) is the client's error, said in plain words.
    frameworkErrors(err: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply) {
      const what = err.code === 'FST_ERR_BAD_URL' ? `Malformed URL ${JSON.stringify(request.url)}` : err.message;
      const message = `${what}: check its percent-encoding.`;
      if (limits.frameworkErrorAnswer?.(request, reply, message)) return;
      void reply.code(400).type('text/plain; charset=utf-8').send(message);
    },
    clientErrorHandler(err: ParserError, socket: Socket) {
      const answer = clientErrorAnswer(err);
      if (answer) answerOnSocket(socket, answer.status, answer.body);
      else socket.destroy();
    },
  } as Partial<FastifyServerOptions>;
}

function timeoutMessage(raw: IncomingMessage, ms: number): string {
  const declared = raw.headers['content-length'];
  const announced =
    declared !== undefined ? `; the request announced Content-Length ${declared}, more than was sent` : '';
  return `Request body timed out: nothing arrived for ${ms} ms before the body was complete${announced}.`;
}

/**
 * While a request's body is still arriving, a socket idle for `bodyTimeoutMs` ends it with 408 and
 * closes the connection. The timer is the socket's own inactivity timer (reset by every byte read
 * or written), so it costs nothing per chunk; it is disarmed when the body is complete.
 */
export function registerBodyTimeout(app: FastifyInstance, bodyTimeoutMs: number): void {
  if (!(bodyTimeoutMs > 0)) return;
  app.decorateRequest('bodyTimedOut', false);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.raw;
    const socket = raw.socket;
    // inject() (tests) has a fake socket without timers.
    if (raw.complete || !socket || typeof socket.setTimeout !== 'function') return;
    const onTimeout = () => {
      if (raw.complete) return;
      request.bodyTimedOut = true;
      request.log.info({ bodyTimeoutMs, contentLength: raw.headers['content-length'] }, 'request body timed out');
      const res = reply.raw;
      if (!res.headersSent) {
        const body = Buffer.from(timeoutMessage(raw, bodyTimeoutMs), 'utf8');
        res.writeHead(408, {
          'content-type': 'text/plain; charset=utf-8',
          'content-length': body.length,
          connection: 'close',
        });
        res.end(body, () => socket.destroy());
      } else socket.destroy();
    };
    const disarm = () => {
      raw.off('timeout', onTimeout);
      if (!socket.destroyed) socket.setTimeout(app.server.timeout ?? 0);
    };
    raw.on('timeout', onTimeout);
    socket.setTimeout(bodyTimeoutMs);
    raw.once('end', disarm);
    raw.once('close', disarm);
  });
}
