/**
 * Streams a Readable into S3 while computing its sha256 and size, the only hash computed over the
 * bytes here, with memory bounded by a few multipart parts whatever the object's size.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import { ObjectStoreCodes } from './store-errors.js';

export interface UploadResult {
  digest: string;
  size: number;
}

/** One multipart upload under way (S3 UploadPart, CompleteMultipartUpload, AbortMultipartUpload). */
export interface MultipartUpload {
  /** Stores one part; resolves with its ETag. */
  putPart(partNumber: number, body: Buffer): Promise<string>;
  complete(parts: Array<{ part: number; etag: string }>): Promise<void>;
  abort(): Promise<void>;
}

/** Where a large stream goes: a multipart upload, started once the stream outgrows one part. */
export interface MultipartTarget {
  begin(): Promise<MultipartUpload>;
}

/** What was read: a stream smaller than one part is handed back whole (nothing was sent). */
export type HashedUpload = UploadResult & ({ kind: 'small'; bytes: Buffer } | { kind: 'multipart' });

/** The error for an upload over its byte limit (HTTP 413, gRPC RESOURCE_EXHAUSTED). */
export function tooLarge(maxBytes: number): AppError {
  return new AppError(ObjectStoreCodes.tooLarge, `object exceeds the limit of ${maxBytes} bytes`, 'too_large');
}

/**
 * Reads `source`, hashing as bytes pass. Up to one part is gathered first: a stream that ends before
 * that comes back as `small` (its digest is known before anything is stored, so the caller puts it at
 * its final key). A longer one goes up as a multipart upload, its parts sent while the next is read
 * (`partsInFlight` at once, then the source waits: backpressure reaches the client).
 *
 * Parts are copied into a few part-sized buffers reused for the whole upload (`partsInFlight` + 1):
 * a fresh buffer per part cost more than the copy (page faults on new memory, and external memory
 * that makes V8 collect garbage early), and a part in one buffer is resent whole if the client retries.
 *
 * On any failure (a part, the limit, the source) nothing is completed: the upload is aborted (best
 * effort; a lifecycle rule for incomplete multipart uploads sweeps what an abort misses).
 */
export async function hashingUpload(
  target: MultipartTarget,
  source: Readable,
  opts: { partSize: number; maxBytes?: number; partsInFlight?: number },
): Promise<HashedUpload> {
  const { partSize } = opts;
  const hash = createHash('sha256');
  const inFlightLimit = opts.partsInFlight ?? 2;
  let head: Buffer[] | undefined = [];
  let headBytes = 0;
  let size = 0;
  let upload: MultipartUpload | undefined;
  let partNumber = 0;
  const parts: Array<{ part: number; etag: string }> = [];
  const inFlight: Array<Promise<void>> = [];
  const free: Buffer[] = [];
  let current: Buffer | undefined;
  let filled = 0;
  let partError: unknown;

  async function send(): Promise<void> {
    const buffer = current!;
    const length = filled;
    current = undefined;
    filled = 0;
    upload ??= await target.begin();
    const part = ++partNumber;
    inFlight.push(
      upload.putPart(part, buffer.subarray(0, length)).then(
        (etag) => {
          parts.push({ part, etag });
          free.push(buffer);
        },
        (err: unknown) => void (partError ??= err),
      ),
    );
    if (inFlight.length >= inFlightLimit) await inFlight.shift();
    if (partError !== undefined) throw partError;
  }

  async function take(chunk: Buffer): Promise<void> {
    for (let offset = 0; offset < chunk.length;) {
      current ??= free.pop() ?? Buffer.allocUnsafeSlow(partSize);
      const copied = chunk.copy(current, filled, offset);
      filled += copied;
      offset += copied;
      if (filled === partSize) await send();
    }
  }

  try {
    for await (const raw of source) {
      if (partError !== undefined) throw partError;
      const chunk: Buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as string);
      size += chunk.length;
      // Checked before the chunk is kept, so S3 never holds more than maxBytes of it.
      if (opts.maxBytes !== undefined && size > opts.maxBytes) throw tooLarge(opts.maxBytes);
      hash.update(chunk);
      if (!head) {
        await take(chunk);
        continue;
      }
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < partSize) continue;
      const gathered = head;
      head = undefined;
      for (const c of gathered) await take(c);
    }
    const digest = hash.digest('hex');
    if (head) return { kind: 'small', digest, size, bytes: Buffer.concat(head, headBytes) };
    if (filled > 0) await send();
    await Promise.all(inFlight);
    if (partError !== undefined) throw partError;
    await upload!.complete(parts.sort((a, b) => a.part - b.part));
    return { kind: 'multipart', digest, size };
  } catch (err) {
    await Promise.all(inFlight);
    if (upload) await upload.abort().catch(() => undefined);
    // A part failure explains the upload's end better than what it caused; a limit or a source
    // failure (the client went away) is the real cause otherwise.
    throw partError !== undefined && !(err instanceof AppError) ? partError : err;
  }
}
