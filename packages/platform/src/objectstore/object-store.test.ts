import { createHash, randomBytes } from 'node:crypto';
import { createConnection, createServer, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { testS3 } from '@usersync/devstack';
import { describe, expect, it } from 'vitest';
import { AppError, NotFoundError, RetryableError } from '../errors.js';
import { createObjectStore, type ObjectStore } from './index.js';

const MiB = 1024 * 1024;

async function freshStore(): Promise<ObjectStore> {
  const store = createObjectStore(testS3());
  await store.ensureBucket();
  return store;
}

/** A deterministic stream of `total` bytes produced chunk by chunk, hashing what it emits. */
function generated(total: number, seed = 1) {
  const base = randomBytes(64 * 1024);
  const hash = createHash('sha256');
  let sent = 0;
  let n = seed * 1_000_003;
  const stream = new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const chunk = Buffer.from(base.subarray(0, Math.min(base.length, total - sent)));
      chunk.writeUInt32BE(n++ >>> 0, 0);
      sent += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

async function drainHashing(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: hash.digest('hex'), size };
}

/** Every key in a bucket, read with a separate client so the store under test is not trusted. */
async function listKeys(bucket: string): Promise<string[]> {
  const { Client } = await import('minio');
  const s3 = testS3();
  const url = new URL(s3.endpoint);
  const client = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, ...s3, pathStyle: true });
  const keys: string[] = [];
  for await (const item of client.listObjectsV2(bucket, '', true)) keys.push((item as { name: string }).name);
  return keys.sort();
}

/**
 * A TCP proxy in front of the test S3 that cuts every connection once `cutAfter` request bytes have
 * passed through it (S3 going away in the middle of an upload).
 */
async function cuttingProxy(cutAfter: number): Promise<{ endpoint: string; close(): void }> {
  const target = new URL(testS3().endpoint);
  const sockets = new Set<Socket>();
  let passed = 0;
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      passed += chunk.length;
      if (passed > cutAfter) for (const s of sockets) s.destroy();
      else upstream.write(chunk);
    });
    upstream.pipe(client);
    for (const s of [client, upstream]) s.on('error', () => undefined).on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe(createObjectStore.name, () => {
  it('stores small content at its sha256 and reads it back', async () => {
    const store = await freshStore();
    const { digest, size } = await store.putStream(Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    expect(digest).toBe(sha256('hello world'));
    expect(size).toBe(11);
    expect(await store.stat(digest)).toEqual({ size: 11 });
    expect(await store.exists(digest)).toBe(true);
    expect((await drainHashing(await store.get(digest))).digest).toBe(digest);
    await store.ping();
  });

  it('stores an empty stream', async () => {
    const store = await freshStore();
    const { digest, size } = await store.putStream(Readable.from([]));
    expect({ digest, size }).toEqual({ digest: sha256(''), size: 0 });
    expect(await store.stat(digest)).toEqual({ size: 0 });
  });

  it('keeps one object when the same content is stored twice', async () => {
    const store = await freshStore();
    const first = await store.putStream(Readable.from(['same bytes']));
    const second = await store.putStream(Readable.from(['same ', 'bytes']));
    expect(second).toEqual(first);
    // One content object, and no temporary upload left behind.
    expect(await listKeys(store.bucket)).toEqual([`sha256/${first.digest}`]);
  });

  it('streams a multipart object to one upload key, named by its digest key, once', async () => {
    const store = await freshStore();
    const bytes = randomBytes(20 * MiB);
    const chunks = () =>
      Readable.from(Array.from({ length: 320 }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536)));
    const put = await store.putStream(chunks());
    expect(put).toEqual({ digest: createHash('sha256').update(bytes).digest('hex'), size: 20 * MiB });
    const keys = await listKeys(store.bucket);
    // The bytes under upload/<uuid>, the digest key an empty object naming them: no copy of the bytes.
    expect(keys).toEqual([expect.stringMatching(/^sha256\/[0-9a-f]{64}$/), expect.stringMatching(/^upload\//)]);
    expect(keys[0]).toBe(`sha256/${put.digest}`);
    expect(await store.stat(put.digest)).toEqual({ size: 20 * MiB });
    expect(await drainHashing(await store.get(put.digest))).toEqual(put);
    // The same bytes again: the second upload's object is dropped, the first one stays named.
    const again = await store.putStream(chunks());
    expect(again).toEqual(put);
    expect(await listKeys(store.bucket)).toEqual(keys);
  });

  it('fails retryable when S3 goes away mid-upload, and names nothing', async () => {
    const bucket = (await freshStore()).bucket;
    const proxy = await cuttingProxy(20 * MiB);
    try {
      const store = createObjectStore({ ...testS3(), bucket, endpoint: proxy.endpoint });
      const err = await store.putStream(generated(40 * MiB, 5).stream).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetryableError);
    } finally {
      proxy.close();
    }
    expect((await listKeys(bucket)).filter((k) => k.startsWith('sha256/'))).toEqual([]);
  });

  it('rejects content over maxBytes as too_large and keeps nothing of it', async () => {
    const store = await freshStore();
    const big = generated(40 * MiB);
    const err = await store.putStream(big.stream, { maxBytes: 20 * MiB }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'too_large', code: 'OBJECT_TOO_LARGE' });
    // The partial upload is gone: no temporary object, no content object.
    expect(await listKeys(store.bucket)).toEqual([]);
    const small = await store.putStream(Readable.from(['x'.repeat(100)]), { maxBytes: 100 });
    expect(small.size).toBe(100);
    await expect(store.putStream(Readable.from(['x'.repeat(101)]), { maxBytes: 100 })).rejects.toMatchObject({
      kind: 'too_large',
    });
  });

  it('answers NotFound for a missing digest and ValidationError for a malformed one', async () => {
    const store = await freshStore();
    const missing = sha256('never stored');
    expect(await store.stat(missing)).toBeUndefined();
    expect(await store.exists(missing)).toBe(false);
    await expect(store.get(missing)).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.stat('../etc/passwd')).rejects.toMatchObject({ kind: 'validation', code: 'OBJECT_BAD_DIGEST' });
  });

  it('throws RetryableError when S3 is unreachable', async () => {
    const store = createObjectStore({ ...testS3(), endpoint: 'http://127.0.0.1:1' });
    await expect(store.ping()).rejects.toBeInstanceOf(RetryableError);
    await expect(store.putStream(Readable.from(['data']))).rejects.toBeInstanceOf(RetryableError);
    await expect(store.get(sha256('x'))).rejects.toBeInstanceOf(RetryableError);
  });

  it('streams a 200 MB object in and out with bounded memory', { timeout: 240_000 }, async () => {
    const store = await freshStore();
    const total = 200 * MiB;
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    try {
      const source = generated(total, 7);
      const put = await store.putStream(source.stream);
      expect(put).toEqual({ digest: source.digest(), size: total });
      expect(await store.stat(put.digest)).toEqual({ size: total });
      const read = await drainHashing(await store.get(put.digest));
      expect(read).toEqual(put);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(peak - baseline).toBeLessThan(150 * MiB);
  });
});
