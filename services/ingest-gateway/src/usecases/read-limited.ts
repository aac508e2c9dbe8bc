import type { Readable } from 'node:stream';
import { AppError } from '@usersync/platform';
import { IngestCodes } from '../domain/messages.js';

/**
 * Buffers a control file (small by nature) so it can be validated before anything is stored;
 * anything over `maxBytes` is refused with 413 instead of being held in memory.
 */
export async function readControlBytes(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const raw of stream) {
    const chunk: Buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
    size += chunk.length;
    if (size > maxBytes) {
      throw new AppError(
        IngestCodes.controlTooLarge,
        `Control file is larger than the limit of ${maxBytes} bytes.`,
        'too_large',
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
