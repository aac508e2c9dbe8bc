/**
 * An ingest-gateway on real PostgreSQL, NATS and S3, authenticated by a real key-service, for the
 * integration tests. PostgreSQL and S3 are reached through TCP proxies so a test can take them down.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { pino } from 'pino';
import { commonV1, keysV1, runsV1 } from '@usersync/contracts';
import { createGrpcClient, createObjectStore, createPool, unary, type ObjectStore } from '@usersync/platform';
import {
  createTestDatabase,
  freePort,
  startTestNats,
  testS3,
  type TestDatabase,
  type TestNats,
} from '@usersync/devstack';
import { createApp as createKeyService, loadConfig as loadKeyConfig } from '@usersync/key-service';
import { createApp, type IngestGatewayApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export interface GatewayEnv {
  db: TestDatabase;
  nats: TestNats;
  /** A direct pool (not through the proxy) for assertions. */
  pool: Pool;
  objects: ObjectStore;
  pgProxy: TcpProxy;
  s3Proxy: TcpProxy;
  gateway: IngestGatewayApp;
  /** http://127.0.0.1:<port> of the gateway. */
  baseUrl: string;
  runs: runsV1.RunServiceClient;
  /** A key with scope sync:upload. */
  uploadKey: string;
  /** Revokes a key (by secret's id is unknown here, so by the key id returned at creation). */
  createKey(scopes?: string[], expiresAt?: Date): Promise<{ id: string; secret: string }>;
  revokeKey(id: string): Promise<void>;
  /** `Basic haplo:<uploadKey>`. */
  authHeader: string;
  stop(): Promise<void>;
}

export const ADMIN: commonV1.Actor = { kind: commonV1.ActorKind.ACTOR_KIND_ADMIN, id: '1', displayName: 'Ada Admin' };
const silent = pino({ level: 'silent' });

/** Starts key-service and the gateway; `env` overrides gateway settings (e.g. MAX_UPLOAD_BYTES). */
export async function startGatewayEnv(env: Record<string, string> = {}): Promise<GatewayEnv> {
  const db = await createTestDatabase();
  const nats = await startTestNats();
  const s3 = testS3();
  const dbUrl = new URL(db.url);
  const pgProxy = await startTcpProxy(dbUrl.hostname, Number(dbUrl.port || 5432));
  const s3Url = new URL(s3.endpoint);
  const s3Proxy = await startTcpProxy(s3Url.hostname, Number(s3Url.port));
  const proxiedDb = new URL(db.url);
  proxiedDb.hostname = '127.0.0.1';
  proxiedDb.port = String(pgProxy.port);

  const keyGrpcPort = await freePort();
  const keyService = await createKeyService(
    loadKeyConfig({
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      GRPC_PORT: String(keyGrpcPort),
      HEALTH_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    }),
    silent,
  );
  await keyService.start();
  const keys = createGrpcClient(keysV1.KeyServiceClient, `127.0.0.1:${keyGrpcPort}`);
  const createKey = async (scopes: string[] = ['sync:upload'], expiresAt?: Date) => {
    const res = (await unary(keys, 'createKey', {
      name: `test ${randomUUID()}`,
      scopes,
      expiresAt,
      actor: ADMIN,
    })) as keysV1.CreateKeyResponse;
    return { id: res.key!.id, secret: res.secret };
  };
  const revokeKey = async (id: string) => void (await unary(keys, 'revokeKey', { keyId: id, actor: ADMIN }));
  const uploadKey = (await createKey()).secret;

  const gateway = await createApp(
    loadConfig({
      DATABASE_URL: proxiedDb.toString(),
      NATS_URL: nats.url,
      S3_ENDPOINT: `http://127.0.0.1:${s3Proxy.port}`,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      HTTP_PORT: String(await freePort()),
      GRPC_PORT: String(await freePort()),
      KEY_SERVICE_ADDR: `127.0.0.1:${keyGrpcPort}`,
      LOG_LEVEL: 'warn',
      ...env,
    }),
    pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  );
  await gateway.start();
  const { http, grpc } = gateway.ports();
  const runs = createGrpcClient(runsV1.RunServiceClient, `127.0.0.1:${grpc}`, { deadlineMs: 60_000 });
  const pool = createPool(db.url);
  const objects = createObjectStore(s3);
  return {
    db,
    nats,
    pool,
    objects,
    pgProxy,
    s3Proxy,
    gateway,
    baseUrl: `http://127.0.0.1:${http}`,
    runs,
    uploadKey,
    createKey,
    revokeKey,
    authHeader: `Basic ${Buffer.from(`haplo:${uploadKey}`).toString('base64')}`,
    async stop() {
      runs.close();
      keys.close();
      await pgProxy.up().catch(() => undefined);
      await s3Proxy.up().catch(() => undefined);
      await gateway.stop();
      await keyService.stop();
      await pool.end();
      await pgProxy.close();
      await s3Proxy.close();
      await nats.stop();
      await db.drop();
    },
  };
}
