import type { IncomingMessage } from 'node:http';

/**
 * Reads and drops what is left of a refused upload (up to `maxBytes`), so the client gets our
 * answer rather than a reset connection while it is still sending. Beyond the cap the connection
 * is closed after the answer instead (plain-errors sets `connection: close`).
 */
export async function discardRemainingBody(raw: IncomingMessage, maxBytes: number): Promise<void> {
  if (raw.complete || raw.destroyed) return;
  raw.unpipe();
  await new Promise<void>((resolve) => {
    let seen = 0;
    const done = () => {
      raw.off('data', onData);
      raw.off('end', done);
      raw.off('close', done);
      raw.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) {
        raw.pause();
        done();
      }
    };
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('close', done);
    raw.once('error', done);
    raw.resume();
  });
}
