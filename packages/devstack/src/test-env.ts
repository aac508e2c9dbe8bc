/**
 * Real servers for one test file. The vitest global setup (test/setup/global-setup.ts) starts or
 * finds the shared servers and puts their addresses in USERSYNC_TEST_* variables; these helpers
 * give each test file its own database, JetStream server and bucket so files run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { createDatabase, dropDatabase } from './postgres.js';
import { startNatsServer, findNatsServer, NATS_INSTALL_HINT } from './nats-server.js';
import { startNatsContainer } from './containers.js';
import { startSmtpSink, type RunningSmtp } from './smtp-sink.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run tests with \`npm test\` (its global setup provides the servers)`);
  return value;
}

const suffix = () => randomBytes(5).toString('hex');

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database; drop() removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = required('USERSYNC_TEST_PG_ADMIN_URL');
  const name = `usersync_t_${suffix()}`;
  const url = await createDatabase(adminUrl, name);
  return { url, name, drop: () => dropDatabase(adminUrl, name) };
}

export interface TestNats {
  url: string;
  stop(): Promise<void>;
}

/** A private JetStream server for this test file (a container where Docker runs and no binary exists). */
export async function startTestNats(): Promise<TestNats> {
  if (findNatsServer()) return startNatsServer();
  if (process.env.USERSYNC_TEST_CONTAINERS === '1') return startNatsContainer();
  throw new Error(NATS_INSTALL_HINT);
}

export interface TestS3 {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  /** A bucket name no other test uses (not created: the object store creates its bucket). */
  bucket: string;
}

/** The shared S3 server and a bucket name of this test's own. */
export function testS3(): TestS3 {
  return {
    endpoint: required('USERSYNC_TEST_S3_ENDPOINT'),
    accessKey: required('USERSYNC_TEST_S3_ACCESS_KEY'),
    secretKey: required('USERSYNC_TEST_S3_SECRET_KEY'),
    region: 'us-east-1',
    bucket: `t-${suffix()}`,
  };
}

/** A real SMTP server for this test file. */
export function startTestSmtp(): Promise<RunningSmtp> {
  return startSmtpSink();
}
