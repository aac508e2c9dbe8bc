/**
 * KeyService end to end: the real app (createApp) on free ports, real PostgreSQL and nats-server,
 * called over gRPC with the generated client.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JetStreamManager, NatsConnection } from 'nats';
import type pg from 'pg';
import { pino } from 'pino';
import { commonV1, decodeEvent, keysV1 } from '@usersync/contracts';
import {
  NotFoundError,
  ValidationError,
  connectNats,
  createGrpcClient,
  createPool,
  unary,
  type ServiceApp,
} from '@usersync/platform';
import { createTestDatabase, freePort, startTestNats, type TestDatabase, type TestNats } from '@usersync/devstack';
// The platform barrel exports auth once the lead adds it; the module path works either way.
import { createKeyVerifier, natsRevocations } from '@usersync/platform';
import { createApp, loadConfig } from '../../src/index.js';

const log = pino({ level: 'silent' });
const { InvalidReason } = keysV1;
const admin: commonV1.Actor = { kind: commonV1.ActorKind.ACTOR_KIND_ADMIN, id: '42', displayName: 'Ada Admin' };

let db: TestDatabase;
let nats: TestNats;
let app: ServiceApp;
let client: keysV1.KeyServiceClient;
let pool: pg.Pool;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  [db, nats] = await Promise.all([createTestDatabase(), startTestNats()]);
  const [grpcPort, healthPort] = [await freePort(), await freePort()];
  const config = loadConfig({
    DATABASE_URL: db.url,
    NATS_URL: nats.url,
    GRPC_PORT: String(grpcPort),
    HEALTH_PORT: String(healthPort),
    LOG_LEVEL: 'silent',
  });
  app = await createApp(config, log);
  await app.start();
  client = createGrpcClient(keysV1.KeyServiceClient, `127.0.0.1:${grpcPort}`);
  pool = createPool(db.url, { max: 3 });
  nc = await connectNats({ url: nats.url, name: 'key-service-test', log });
  jsm = await nc.jetstreamManager();
});

afterAll(async () => {
  client?.close();
  await nc?.close();
  await pool?.end();
  await app?.stop();
  await Promise.all([db?.drop(), nats?.stop()]);
});

// Explicit type arguments: `unary` does not infer the method name's literal type for ts-proto clients.
type Client = keysV1.KeyServiceClient;
const listKeys = (req: keysV1.ListKeysRequest) => unary<Client, 'listKeys'>(client, 'listKeys', req);
const revokeKey = (req: keysV1.RevokeKeyRequest) => unary<Client, 'revokeKey'>(client, 'revokeKey', req);
const create = (name: string, extra: Partial<keysV1.CreateKeyRequest> = {}) =>
  unary<Client, 'createKey'>(client, 'createKey', { name, scopes: [], expiresAt: undefined, actor: admin, ...extra });
const verify = (secret: string, requiredScope = 'sync:upload') =>
  unary<Client, 'verifyKey'>(client, 'verifyKey', { secret, requiredScope });

/** Every sync.key.revoked event in SYNC_KEYS for `keyId`. */
async function revokedEventsFor(keyId: string) {
  const info = await jsm.streams.info('SYNC_KEYS');
  const events = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage('SYNC_KEYS', { seq });
    if (m.subject !== 'sync.key.revoked') continue;
    const event = decodeEvent('sync.key.revoked', m.data);
    if (event.keyId === keyId) events.push(event);
  }
  return events;
}

async function rejectionOf(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  );
}

describe('KeyService', () => {
  it('creates a key that verifies, lists it without its secret, and refuses it as REVOKED once revoked', async () => {
    const { key, secret } = await create('  HR nightly export  ');
    expect(secret).toMatch(/^usk_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({
      name: 'HR nightly export',
      scopes: ['sync:upload'],
      displayPrefix: secret.slice(0, 12),
    });
    expect(key?.createdBy).toEqual(admin);

    expect(await verify(secret)).toEqual({
      valid: true,
      keyId: key!.id,
      name: 'HR nightly export',
      scopes: ['sync:upload'],
      reason: InvalidReason.INVALID_REASON_UNSPECIFIED,
    });

    const listed = await listKeys({ includeRevoked: false });
    expect(listed.keys.map((k) => k.id)).toContain(key!.id);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(4));

    const revoked = await revokeKey({ keyId: key!.id, actor: admin });
    expect(revoked.key?.revokedAt).toBeInstanceOf(Date);
    expect(revoked.key?.revokedBy).toEqual(admin);
    expect(await verify(secret)).toMatchObject({
      valid: false,
      keyId: key!.id,
      reason: InvalidReason.INVALID_REASON_REVOKED,
    });

    // Revoking again changes nothing and publishes nothing.
    const again = await revokeKey({ keyId: key!.id, actor: admin });
    expect(again.key?.revokedAt).toEqual(revoked.key?.revokedAt);

    await vi.waitFor(async () => expect(await revokedEventsFor(key!.id)).toHaveLength(1), { timeout: 5_000 });
    const { rows } = await pool.query(`SELECT count(*)::int AS n, count(sent_at)::int AS sent FROM keys.outbox`);
    expect(rows[0]).toEqual({ n: 1, sent: 1 });

    expect((await listKeys({ includeRevoked: false })).keys.map((k) => k.id)).not.toContain(key!.id);
    expect((await listKeys({ includeRevoked: true })).keys.map((k) => k.id)).toContain(key!.id);

    const audit = await pool.query(`SELECT action, actor FROM keys.key_audit WHERE key_id = $1 ORDER BY id`, [key!.id]);
    expect(audit.rows).toEqual([
      { action: 'create', actor: { kind: 'admin', id: '42', displayName: 'Ada Admin' } },
      { action: 'revoke', actor: { kind: 'admin', id: '42', displayName: 'Ada Admin' } },
    ]);
  });

  it('makes a cached verifier refuse a key within one second of its revocation', async () => {
    const { key, secret } = await create('cached');
    let calls = 0;
    const verifier = createKeyVerifier({
      verify: (s, scope) => (calls++, verify(s, scope)),
      revocations: natsRevocations(nc, { decodeKeyId: (data) => decodeEvent('sync.key.revoked', data).keyId, log }),
    });
    await nc.flush();
    expect((await verifier.verify(secret, 'sync:upload')).valid).toBe(true);
    expect((await verifier.verify(secret, 'sync:upload')).valid).toBe(true);
    expect(calls).toBe(1);

    await revokeKey({ keyId: key!.id, actor: admin });
    await vi.waitFor(
      async () =>
        expect(await verifier.verify(secret, 'sync:upload')).toMatchObject({
          valid: false,
          reason: InvalidReason.INVALID_REASON_REVOKED,
        }),
      { timeout: 1_000, interval: 20 },
    );
    verifier.close();
  });

  it('refuses an expired key as EXPIRED', async () => {
    const { key, secret } = await create('expiring', { expiresAt: new Date(Date.now() + 3_600_000) });
    expect(key?.expiresAt).toBeInstanceOf(Date);
    expect((await verify(secret)).valid).toBe(true);
    await pool.query(`UPDATE keys.api_key SET expires_at = now() - interval '1 second' WHERE id = $1`, [key!.id]);
    expect(await verify(secret)).toMatchObject({
      valid: false,
      keyId: key!.id,
      reason: InvalidReason.INVALID_REASON_EXPIRED,
    });
  });

  it('refuses a key lacking the required scope as MISSING_SCOPE, and accepts it when no scope is asked', async () => {
    const { key, secret } = await create('scoped');
    expect(await verify(secret, 'admin:all')).toMatchObject({
      valid: false,
      keyId: key!.id,
      scopes: ['sync:upload'],
      reason: InvalidReason.INVALID_REASON_MISSING_SCOPE,
    });
    expect((await verify(secret, '')).valid).toBe(true);
  });

  it('refuses malformed secrets as MALFORMED and well-formed strangers as UNKNOWN', async () => {
    for (const secret of ['', 'nope', 'usk_short', `Bearer usk_${'A'.repeat(43)}`])
      expect(await verify(secret), secret).toEqual({
        valid: false,
        keyId: '',
        name: '',
        scopes: [],
        reason: InvalidReason.INVALID_REASON_MALFORMED,
      });
    expect(await verify(`usk_${'A'.repeat(43)}`)).toMatchObject({
      valid: false,
      keyId: '',
      reason: InvalidReason.INVALID_REASON_UNKNOWN,
    });
  });

  it('answers bad create and revoke requests with INVALID_ARGUMENT or NOT_FOUND, saying what is wrong', async () => {
    const bad = await rejectionOf(create('', { scopes: ['sync:upload', 'root'], expiresAt: new Date('2020-01-01') }));
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).details).toEqual([
      { path: 'name', message: 'name is required' },
      { path: 'scopes[1]', message: 'unknown scope "root" (known: sync:upload, scim)' },
      { path: 'expiresAt', message: 'expiry must be in the future' },
    ]);
    expect(await rejectionOf(create('no actor', { actor: undefined }))).toBeInstanceOf(ValidationError);
    const unspecified = { kind: commonV1.ActorKind.ACTOR_KIND_UNSPECIFIED, id: '', displayName: '' };
    expect(await rejectionOf(create('unspecified actor', { actor: unspecified }))).toBeInstanceOf(ValidationError);
    expect(await rejectionOf(revokeKey({ keyId: 'nope', actor: admin }))).toBeInstanceOf(ValidationError);
    const missing = await rejectionOf(revokeKey({ keyId: '00000000-0000-4000-8000-000000000000', actor: admin }));
    expect(missing).toBeInstanceOf(NotFoundError);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM keys.api_key WHERE name IN ('no actor', 'unspecified actor')`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('records last use at most once a minute, and only for accepted keys', async () => {
    const { key, secret } = await create('busy');
    const lastUsed = async () =>
      (await pool.query<{ t: Date | null }>(`SELECT last_used_at AS t FROM keys.api_key WHERE id = $1`, [key!.id]))
        .rows[0]!.t;
    await verify(secret, 'admin:all'); // refused: not a use
    expect(await lastUsed()).toBeNull();

    await verify(secret);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await verify(secret);
    await verify(secret);
    expect(await lastUsed()).toEqual(first);

    await pool.query(`UPDATE keys.api_key SET last_used_at = now() - interval '61 seconds' WHERE id = $1`, [key!.id]);
    const aged = await lastUsed();
    await verify(secret);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(aged!.getTime());
  });

  it('stores no secret in any form other than its hash anywhere in the keys schema', async () => {
    const secrets: string[] = [];
    for (const name of ['scan one', 'scan two', 'scan three']) {
      const { key, secret } = await create(name, { expiresAt: new Date(Date.now() + 86_400_000) });
      secrets.push(secret);
      await verify(secret);
      if (name === 'scan two') await revokeKey({ keyId: key!.id, actor: admin });
    }
    const forms = secrets.flatMap((secret) => {
      const random = Buffer.from(secret.slice(4), 'base64url');
      const whole = Buffer.from(secret, 'utf8');
      return [
        secret,
        secret.slice(4),
        random.toString('hex'),
        random.toString('base64'),
        whole.toString('hex'),
        whole.toString('base64'),
        whole.toString('base64url'),
      ];
    });
    const tables = await pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'keys' ORDER BY table_name`,
    );
    expect(tables.rows.map((t) => t.table_name)).toEqual(expect.arrayContaining(['api_key', 'key_audit', 'outbox']));
    let scannedRows = 0;
    for (const { table_name } of tables.rows) {
      // A row as text renders every column, bytea as \x-hex; compare case-insensitively for hex.
      const { rows } = await pool.query<{ row: string }>(`SELECT t::text AS row FROM keys."${table_name}" t`);
      for (const { row } of rows) {
        scannedRows++;
        for (const form of forms)
          expect(row.toLowerCase().includes(form.toLowerCase()), `${table_name}: ${row}`).toBe(false);
      }
    }
    expect(scannedRows).toBeGreaterThanOrEqual(6);
  });
});
