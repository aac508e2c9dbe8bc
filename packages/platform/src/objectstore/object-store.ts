/**
 * Content-addressed object store on the minio client (S3, MinIO, s3rver in tests). Objects live at
 * `sha256/<digest>`, so storing the same file twice keeps one object and a digest names its bytes.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import { RetryableError, ValidationError } from '../errors.js';
import { MetricLabels, MetricNames } from '../metrics/telemetry-names.js';
import { counter, histogram } from '../metrics/registry.js';
import { hashingUpload, type UploadResult } from './hashing-upload.js';
import { ObjectStoreCodes, isMissingObject, toStoreError } from './store-errors.js';

export interface ObjectStoreOptions {
  /** `http(s)://host:port` of the S3 API. */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
  /** Multipart part size; memory per upload is a small multiple of it. Default 8 MiB (S3 minimum 5 MiB; 10,000 parts → 80 GB max). */
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

  async function stat(digest: string): Promise<{ size: number } | undefined> {
    const key = objectKey(digest);
    try {
      const info = await client.statObject(bucket, key);
      return { size: info.size };
    } catch (err) {
      if (isMissingObject(err)) return undefined;
      throw toStoreError(err, 'stat');
    }
  }

  async function putStream(stream: Readable, putOpts: { maxBytes?: number } = {}): Promise<UploadResult> {
    const end = putDuration.startTimer();
    // A unique temporary key: the digest is only known once the last byte has passed.
    const tmpKey = `tmp/${randomUUID()}`;
    try {
      const result = await call('put', () => hashingUpload(client, bucket, tmpKey, stream, { partSize, ...putOpts }));
      if (!(await stat(result.digest))) {
        // Server-side copy (no bytes through this process). A racing upload of the same bytes
        // copies identical content, so the race is harmless.
        await call('copy', () =>
          client.copyObject(
            new CopySourceOptions({ Bucket: bucket, Object: tmpKey }),
            new CopyDestinationOptions({ Bucket: bucket, Object: objectKey(result.digest) }),
          ),
        );
      }
      bytesWritten.inc(result.size);
      end({ outcome: 'ok' });
      return result;
    } catch (err) {
      end({ outcome: 'error' });
      throw err;
    } finally {
      // Best effort: a temporary object left by a crash is swept by a bucket lifecycle rule on tmp/.
      await client.removeObject(bucket, tmpKey).catch(() => undefined);
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
      const key = objectKey(digest);
      return call('get', () => client.getObject(bucket, key));
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
