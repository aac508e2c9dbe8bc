/**
 * The servers the local stack needs, each taken from its env var when set, else a server already
 * on the standard port, else one started here with its data under .local/.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { LOCAL_POSTGRES_URL, ensureDatabase, ensurePostgres } from './postgres.js';
import { findNatsServer, startNatsServer } from './nats-server.js';
import { startS3Server } from './s3-server.js';
import { startSmtpSink } from './smtp-sink.js';
import { isListening, freePort } from './net.js';
import { findExecutable } from './binaries.js';

export interface Infra {
  env: Record<string, string>;
  /** What each server is and where it came from, for the start-up banner. */
  notes: string[];
  stop(): Promise<void>;
}

type Say = (line: string) => void;

async function resolveNats(localDir: string, say: Say, stops: Array<() => Promise<void>>): Promise<string> {
  if (process.env.NATS_URL) return process.env.NATS_URL;
  if (await isListening('127.0.0.1', 4222)) return 'nats://127.0.0.1:4222';
  if (!findNatsServer()) {
    if (process.getuid?.() === 0 && findExecutable('apt-get')) {
      say('nats-server is missing: installing it with `apt-get install -y nats-server` (Debian package)');
      execFileSync('apt-get', ['install', '-y', '-qq', 'nats-server'], { stdio: 'inherit' });
    } else {
      throw new Error('nats-server is missing: run `sudo apt-get install -y nats-server`, or set NATS_URL');
    }
  }
  const nats = await startNatsServer({ port: 4222, storeDir: join(localDir, 'nats') });
  stops.push(() => nats.stop());
  return nats.url;
}

/** Brings up (or finds) PostgreSQL, NATS, S3 and SMTP for `npm start`. */
export async function startLocalInfra(localDir: string, say: Say): Promise<Infra> {
  const stops: Array<() => Promise<void>> = [];
  const notes: string[] = [];
  const env: Record<string, string> = {};

  if (process.env.DATABASE_URL) {
    env.DATABASE_URL = process.env.DATABASE_URL;
    notes.push('PostgreSQL: DATABASE_URL');
  } else {
    await ensurePostgres(LOCAL_POSTGRES_URL, say);
    env.DATABASE_URL = await ensureDatabase(LOCAL_POSTGRES_URL, 'usersync');
    notes.push(`PostgreSQL: local server, database usersync`);
  }

  env.NATS_URL = await resolveNats(localDir, say, stops);
  notes.push(`NATS JetStream: ${env.NATS_URL}`);

  if (process.env.S3_ENDPOINT) {
    for (const k of ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET', 'S3_REGION'])
      if (process.env[k]) env[k] = process.env[k]!;
    notes.push(`S3: ${env.S3_ENDPOINT}`);
  } else {
    // 9000 is MinIO's standard port. Something already there is taken to be our own s3rver from an
    // earlier run (same credentials); otherwise s3rver starts on it with its data in .local/s3.
    if (!(await isListening('127.0.0.1', 9000))) {
      const s3 = await startS3Server({ directory: join(localDir, 's3'), port: 9000 });
      stops.push(() => s3.stop());
    }
    Object.assign(env, {
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      S3_BUCKET: 'usersync',
    });
    notes.push('S3: s3rver on http://127.0.0.1:9000 (data in .local/s3)');
  }

  if (process.env.SMTP_URL) {
    env.SMTP_URL = process.env.SMTP_URL;
    notes.push(`SMTP: ${env.SMTP_URL}`);
  } else {
    const port = (await isListening('127.0.0.1', 2525)) ? await freePort() : 2525;
    const smtp = await startSmtpSink({ port, mailDir: join(localDir, 'mail') });
    stops.push(() => smtp.stop());
    env.SMTP_URL = smtp.url;
    notes.push(`SMTP: ${smtp.url} (every mail is kept in .local/mail/)`);
  }

  return {
    env,
    notes,
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
