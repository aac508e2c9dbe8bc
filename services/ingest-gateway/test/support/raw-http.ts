/**
 * Raw HTTP/1.1 over a TCP socket, for requests no well-behaved client would send (truncated bodies,
 * bare LF, lying Content-Length). Answers are read until the response is complete or the server
 * closes the connection; a request the server never answers resolves as `status: 0`.
 */
import { connect } from 'node:net';

export interface RawResponse {
  /** The status code, or 0 when nothing (or no status line) came back before `timeoutMs`. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection (rather than the timeout ending the wait). */
  closedByServer: boolean;
  elapsedMs: number;
}

export interface RawOptions {
  timeoutMs?: number;
  /** Keep the socket open after writing (a client that stops sending); default true. */
  holdOpen?: boolean;
}

function parse(buf: Buffer): { status: number; headers: Record<string, string>; body: Buffer } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status, headers, body: buf.subarray(end + 4) };
}

function complete(parsed: NonNullable<ReturnType<typeof parse>>): boolean {
  const length = parsed.headers['content-length'];
  if (length !== undefined) return parsed.body.length >= Number(length);
  if (parsed.headers['transfer-encoding']?.includes('chunked')) return parsed.body.includes('\r\n0\r\n\r\n');
  return false;
}

/** Sends `bytes` to 127.0.0.1:`port` and reads one response. */
export function sendRaw(port: number, bytes: Buffer, opts: RawOptions = {}): Promise<RawResponse> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parse(Buffer.concat(chunks));
      resolve({
        status: parsed?.status ?? 0,
        headers: parsed?.headers ?? {},
        body: parsed?.body.toString('utf8') ?? '',
        closedByServer,
        elapsedMs: Date.now() - started,
      });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const parsed = parse(Buffer.concat(chunks));
      if (parsed && complete(parsed)) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    // A reset while we still write (the server refused early) is an answer too.
    socket.on('error', () => finish(true));
    socket.write(bytes, () => {
      if (opts.holdOpen === false) socket.end();
    });
  });
}
