/**
 * Streams a Readable into one S3 object while computing its sha256 and size, with memory bounded by
 * the multipart part size whatever the object's size.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import type { Client } from 'minio';
import { AppError } from '../errors.js';
import { ObjectStoreCodes } from './store-errors.js';

export interface UploadResult {
  digest: string;
  size: number;
}

/** The error for an upload over its byte limit (HTTP 413, gRPC RESOURCE_EXHAUSTED). */
export function tooLarge(maxBytes: number): AppError {
  return new AppError(ObjectStoreCodes.tooLarge, `object exceeds the limit of ${maxBytes} bytes`, 'too_large');
}

async function write(body: PassThrough, chunk: Buffer): Promise<void> {
  // A destroyed body (the put failed) never emits 'drain' again: stop here instead of waiting forever.
  if (body.destroyed) throw new Error('upload body closed');
  // Respect backpressure: minio reads one part at a time, so the source is only read as fast as S3 accepts.
  if (!body.write(chunk)) await once(body, 'drain');
}

/**
 * Uploads `source` to `key`, hashing as bytes pass. Objects smaller than one part go up in a single
 * PUT (minio would otherwise start a multipart upload for a stream of unknown length); larger ones
 * stream through a PassThrough into minio's multipart upload.
 *
 * We pump by hand instead of `pipeline(source, hasher, putObject)` because minio pipes its body
 * without listening for the body's errors: a failing body would leave putObject pending forever.
 * So on any failure we *end* the body (minio completes a truncated object) and the caller removes it.
 */
export async function hashingUpload(
  client: Client,
  bucket: string,
  key: string,
  source: Readable,
  opts: { partSize: number; maxBytes?: number },
): Promise<UploadResult> {
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  let body: PassThrough | undefined;
  let put: Promise<unknown> | undefined;
  let putError: unknown;

  try {
    for await (const raw of source) {
      const chunk: Buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as string);
      size += chunk.length;
      // Checked before the chunk is written, so S3 never holds more than maxBytes of it.
      if (opts.maxBytes !== undefined && size > opts.maxBytes) throw tooLarge(opts.maxBytes);
      hash.update(chunk);
      if (body) {
        await write(body, chunk);
        continue;
      }
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < opts.partSize) continue;
      const stream = new PassThrough();
      body = stream;
      put = client.putObject(bucket, key, stream).catch((err: unknown) => {
        putError = err;
        // Wakes a write() waiting for 'drain' that would otherwise wait forever.
        stream.destroy(err instanceof Error ? err : new Error(String(err)));
      });
      for (const c of head.splice(0)) await write(stream, c);
    }
    if (body) {
      body.end();
      await put;
      if (putError) throw putError;
    } else {
      await client.putObject(bucket, key, Buffer.concat(head, headBytes), headBytes);
    }
  } catch (err) {
    if (body && !putError) {
      body.end();
      await put;
    }
    // A put failure explains a closed body better than the write error it caused; a limit or a
    // source failure (client went away) is the real cause otherwise.
    throw putError !== undefined && !(err instanceof AppError) ? putError : err;
  }
  return { digest: hash.digest('hex'), size };
}
