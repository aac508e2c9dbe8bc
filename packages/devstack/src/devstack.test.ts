import { describe, expect, it } from 'vitest';
import * as Minio from 'minio';
import nodemailer from 'nodemailer';
import { connect } from 'nats';
import pg from 'pg';
import { createTestDatabase, startTestNats, startTestSmtp, testS3 } from './test-env.js';

describe('test servers', () => {
  it('gives a fresh PostgreSQL database that drop() removes', async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    await client.end();
    expect(rows[0]!.db).toBe(db.name);
    await db.drop();
    const again = new pg.Client({ connectionString: db.url });
    await expect(again.connect()).rejects.toThrow(/does not exist/);
  });

  it('starts a private nats-server with JetStream', async () => {
    const nats = await startTestNats();
    const nc = await connect({ servers: nats.url });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'PING', subjects: ['ping.>'] });
    const ack = await nc.jetstream().publish('ping.one', new TextEncoder().encode('x'), { msgID: 'a' });
    const dup = await nc.jetstream().publish('ping.one', new TextEncoder().encode('x'), { msgID: 'a' });
    expect(ack.duplicate).toBe(false);
    expect(dup.duplicate).toBe(true);
    await nc.close();
    await nats.stop();
  });

  it('serves S3 well enough for the minio client, including multipart puts', async () => {
    const s3 = testS3();
    const url = new URL(s3.endpoint);
    const client = new Minio.Client({
      endPoint: url.hostname,
      port: Number(url.port),
      useSSL: false,
      accessKey: s3.accessKey,
      secretKey: s3.secretKey,
      region: s3.region,
      pathStyle: true,
    });
    await client.makeBucket(s3.bucket, s3.region);
    const big = Buffer.alloc(12 * 1024 * 1024, 7); // over minio's 5 MiB part size: multipart path
    await client.putObject(s3.bucket, 'big', big, big.length);
    const stat = await client.statObject(s3.bucket, 'big');
    expect(stat.size).toBe(big.length);
  });

  it('receives mail over real SMTP', async () => {
    const smtp = await startTestSmtp();
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 'Hello', text: 'body' });
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toEqual(['b@example.org']);
    expect(mail!.raw).toContain('Subject: Hello');
    await smtp.stop();
  });
});
