/**
 * The benches' S3 store, always in its own process (never inside the bench, whose CPU would be counted
 * against it): a real MinIO server when a `minio` binary is on PATH (or BENCH_MINIO=<path>), s3rver
 * otherwise (`bench/s3rver.main.ts`, the devstack shim). BENCH_STORE=s3rver forces s3rver.
 * Also: the store's own raw PUT speed, one streamed PUT of a file with no hashing in this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from 'minio';
import { createObjectStore } from '@usersync/platform';
import { findExecutable, freePort, waitForPort } from '@usersync/devstack';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface BenchStore {
  kind: 'minio' | 's3rver';
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  pid: number;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Starts the bench's store with its data in `directory`. */
export async function startBenchStore(directory: string): Promise<BenchStore> {
  mkdirSync(directory, { recursive: true });
  const port = await freePort();
  const minio = process.env.BENCH_STORE === 's3rver' ? undefined : (process.env.BENCH_MINIO ?? findExecutable('minio'));
  const region = 'us-east-1';
  if (minio) {
    const [accessKey, secretKey] = ['benchadmin', 'benchadmin-secret'];
    const console_ = await freePort();
    const child = spawn(
      minio,
      ['server', directory, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${console_}`, '--quiet'],
      {
        env: { PATH: process.env.PATH ?? '', MINIO_ROOT_USER: accessKey, MINIO_ROOT_PASSWORD: secretKey },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const endpoint = `http://127.0.0.1:${port}`;
    await waitForPort('127.0.0.1', port, 30_000, 'minio');
    for (let i = 0; i < 300; i++) {
      const ready = await fetch(`${endpoint}/minio/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { kind: 'minio', endpoint, accessKey, secretKey, region, pid: child.pid!, stop: () => stopChild(child) };
  }
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'bench/s3rver.main.ts', directory, String(port)],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await waitForPort('127.0.0.1', port, 30_000, 's3rver');
  return {
    kind: 's3rver',
    endpoint: `http://127.0.0.1:${port}`,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    region,
    pid: child.pid!,
    stop: () => stopChild(child),
  };
}

/**
 * The store's own speed: the file in one PUT with its length, streamed from disk, the payload unsigned
 * (nothing hashed here), so the figure is what the store and the loopback take. Returns MB/s.
 */
export async function rawPutSpeed(store: BenchStore, bucket: string, path: string): Promise<number> {
  const url = new URL(store.endpoint);
  const client = new Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: store.accessKey,
    secretKey: store.secretKey,
    region: store.region,
    pathStyle: true,
  });
  client.enableSHA256 = false;
  const size = statSync(path).size;
  const objectName = `bench-raw/${Date.now()}`;
  const started = performance.now();
  const res = await client.makeRequestStreamAsync(
    { method: 'PUT', bucketName: bucket, objectName, headers: { 'Content-Length': size } },
    createReadStream(path, { highWaterMark: 1024 * 1024 }),
    '',
    [200],
    store.region,
  );
  res.resume();
  await new Promise((r) => res.once('end', r));
  const seconds = (performance.now() - started) / 1000;
  await client.removeObject(bucket, objectName);
  return size / 1e6 / seconds;
}

/**
 * The object store library alone (no gateway, no HTTP upload in front of it): `putStream` of the file
 * read from disk, as the gateway calls it (hashing, multipart parts, the digest key). Returns MB/s.
 */
export async function libraryPutSpeed(store: BenchStore, bucket: string, path: string): Promise<number> {
  const objects = createObjectStore({ ...store, bucket });
  const started = performance.now();
  const { size } = await objects.putStream(createReadStream(path, { highWaterMark: 1024 * 1024 }));
  return size / 1e6 / ((performance.now() - started) / 1000);
}
