/**
 * Content-addressed object store on the minio client (S3, MinIO, s3rver in tests). A digest names its
 * bytes through the key `sha256/<digest>`: an object smaller than one part is stored there itself; a
 * larger one is streamed (multipart) to `upload/<uuid>` while it is hashed, and `sha256/<digest>` is
 * then an empty object whose metadata names that key and its size. So the bytes go to S3 once: no
 * server-side copy from a temporary key (which costs the store a second full write). Storing the same
 * file twice keeps one object; readers go through the digest key either way.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Client } from 'minio';
import { NotFoundError, RetryableError, ValidationError } from '../errors.js';
import { MetricLabels, MetricNames } from '../metrics/telemetry-names.js';
import { counter, histogram } from '../metrics/registry.js';
import { hashingUpload, type UploadResult } from './hashing-upload.js';
import { s3Multipart } from './s3-multipart.js';
import { ObjectStoreCodes, isMissingObject, toStoreError } from './store-errors.js';

export interface ObjectStoreOptions {
  /** `http(s)://host:port` of the S3 API. */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
  /** Multipart part size; memory per upload is a small multiple of it. Default 8 MiB (S3 minimum 5 MiB; 10,000 parts → 80 GB max); two parts are sent at once. */
  partSize?: number;
}

export interface ObjectStore {
  readonly bucket: string;
  /** Creates the bucket when it does not exist (safe when replicas race). */
  ensureBucket(): Promise<void>;
  /** Stores a stream, hashing while streaming; returns its sha256 (hex) and size. */
  putStream(stream: Readable, opts?: { maxBytes?: number }): Promise<UploadResult>;
  /** The object's bytes as a stream; NotFoundError when absent. */
  get(digest: string): Promise<Readable>;
  /** The object's size, or undefined when absent. */
  stat(digest: string): Promise<{ size: number } | undefined>;
  exists(digest: string): Promise<boolean>;
  /** Resolves when S3 answers and the bucket exists (a readiness check). */
  ping(): Promise<void>;
}

const DIGEST = /^[0-9a-f]{64}$/;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** Metadata of a digest key that points at the object holding the bytes (minio strips `x-amz-meta-`). */
const TARGET_META = 'usersync-object';
const SIZE_META = 'usersync-size';
const UPLOAD_KEY = /^upload\/[0-9a-f-]{36}$/;

/** The key of a digest's object. */
export function objectKey(digest: string): string {
  if (!DIGEST.test(digest))
    throw new ValidationError(ObjectStoreCodes.badDigest, 'digest must be 64 lowercase hex characters');
  return `sha256/${digest}`;
}

/** Builds an object store over one bucket. Nothing connects until the first call. */
export function createObjectStore(opts: ObjectStoreOptions): ObjectStore {
  const url = new URL(opts.endpoint);
  const useSSL = url.protocol === 'https:';
  const partSize = opts.partSize ?? DEFAULT_PART_SIZE;
  const client = new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: opts.accessKey,
    secretKey: opts.secretKey,
    region: opts.region,
    pathStyle: true,
    // Without an explicit part size minio sizes parts for a 5 TiB object (~550 MiB each) when the
    // length is unknown, and buffers a whole part in memory.
    partSize,
  });
  // Payloads go unsigned (`UNSIGNED-PAYLOAD`, as minio already does over https): over plain http minio
  // would otherwise sha256 every part body, on top of the digest this store computes anyway.
  client.enableSHA256 = false;
  const { bucket } = opts;
  const bytesWritten = counter(MetricNames.objectStoreBytesWritten, 'Bytes stored in the object store');
  const putDuration = histogram(MetricNames.objectStorePutDuration, 'Object store put duration', [
    MetricLabels.outcome,
  ]);

  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toStoreError(err, operation);
    }
  }

  /** Where a digest's bytes are: its own key, or the upload key its (empty) digest object names. */
  async function locate(digest: string): Promise<{ key: string; size: number } | undefined> {
    const key = objectKey(digest);
    let info: Awaited<ReturnType<Client['statObject']>>;
    try {
      info = await client.statObject(bucket, key);
    } catch (err) {
      if (isMissingObject(err)) return undefined;
      throw toStoreError(err, 'stat');
    }
    const target = info.metaData[TARGET_META] as unknown;
    if (typeof target !== 'string' || !UPLOAD_KEY.test(target)) return { key, size: info.size };
    return { key: target, size: Number(info.metaData[SIZE_META]) };
  }

  async function stat(digest: string): Promise<{ size: number } | undefined> {
    const found = await locate(digest);
    return found && { size: found.size };
  }

  async function putStream(stream: Readable, putOpts: { maxBytes?: number } = {}): Promise<UploadResult> {
    const end = putDuration.startTimer();
    // The key of the bytes if they need more than one part: the digest is only known at the end.
    const uploadKey = `upload/${randomUUID()}`;
    try {
      const target = s3Multipart(client, bucket, uploadKey, opts.region);
      const read = await call('put', () => hashingUpload(target, stream, { partSize, ...putOpts }));
      const { digest, size } = read;
      if (read.kind === 'small') {
        await call('put', () => client.putObject(bucket, objectKey(digest), read.bytes, size));
      } else if (await stat(digest)) {
        // The same bytes are stored already: keep those. Best effort; an orphan costs only space.
        await client.removeObject(bucket, uploadKey).catch(() => undefined);
      } else {
        // A racing upload of the same bytes may point the digest at its own copy: both hold the bytes.
        const meta = { [`x-amz-meta-${TARGET_META}`]: uploadKey, [`x-amz-meta-${SIZE_META}`]: String(size) };
        await call('put', () => client.putObject(bucket, objectKey(digest), Buffer.alloc(0), 0, meta));
      }
      bytesWritten.inc(size);
      end({ outcome: 'ok' });
      return { digest, size };
    } catch (err) {
      end({ outcome: 'error' });
      throw err;
    }
  }

  return {
    bucket,
    async ensureBucket() {
      await call('ensureBucket', async () => {
        if (await client.bucketExists(bucket)) return;
        try {
          await client.makeBucket(bucket, opts.region);
        } catch (err) {
          // Another replica created it between our check and our create.
          const code = (err as { code?: string }).code;
          if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw err;
        }
      });
    },
    putStream,
    async get(digest) {
      const found = await call('get', () => locate(digest));
      if (!found) throw new NotFoundError(ObjectStoreCodes.notFound, 'object not found');
      return call('get', () => client.getObject(bucket, found.key));
    },
    stat,
    async exists(digest) {
      return (await stat(digest)) !== undefined;
    },
    async ping() {
      const found = await call('ping', () => client.bucketExists(bucket));
      if (!found) throw new RetryableError(ObjectStoreCodes.noBucket, 'object store bucket missing');
    },
  };
}
