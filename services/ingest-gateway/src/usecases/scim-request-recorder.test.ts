import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createScimRequestRecorder } from './scim-request-recorder.js';
import type { ScimRequestRecord } from '../store/scim-requests.repository.js';

/** A hand-written fake database: records each UPDATE's parameters. */
function fakeDb(fail = false) {
  const writes: { latest: ScimRequestRecord | null; failed: ScimRequestRecord | null }[] = [];
  return {
    writes,
    query: async (_sql: string, params: (string | null)[]) => {
      if (fail) throw new Error('database down');
      const parse = (p: string | null) => (p === null ? null : (JSON.parse(p) as ScimRequestRecord));
      writes.push({ latest: parse(params[0]!), failed: parse(params[1]!) });
      return { rows: [], rowCount: 1 };
    },
  };
}

const request = (status: number, path = '/scim/v2/Users'): ScimRequestRecord => ({
  at: new Date(),
  keyId: 'k1',
  keyName: 'Entra',
  method: 'GET',
  path,
  status,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = pino({ level: 'silent' });

describe(createScimRequestRecorder.name, () => {
  it('writes a burst of requests once, with the latest request and the latest failure', async () => {
    const db = fakeDb();
    const sut = createScimRequestRecorder({ db: db as never, log }, 200);
    sut.note(request(200, '/scim/v2/Users/1'));
    sut.note(request(404, '/scim/v2/Users/2'));
    for (let i = 0; i < 500; i++) sut.note(request(200, `/scim/v2/Users/${i + 3}`));
    await sleep(50);
    expect(db.writes).toHaveLength(1);
    expect(db.writes[0]!.latest).toMatchObject({ path: '/scim/v2/Users/502', status: 200 });
    expect(db.writes[0]!.failed).toMatchObject({ path: '/scim/v2/Users/2', status: 404 });
    await sut.stop();
  });

  it('writes at most once per interval while requests keep coming', async () => {
    const db = fakeDb();
    const sut = createScimRequestRecorder({ db: db as never, log }, 150);
    const until = Date.now() + 500;
    while (Date.now() < until) {
      sut.note(request(200));
      await sleep(5);
    }
    await sut.stop();
    // about 500 ms / 150 ms, plus the final write of stop()
    expect(db.writes.length).toBeGreaterThanOrEqual(3);
    expect(db.writes.length).toBeLessThanOrEqual(6);
    expect(db.writes.every((w) => w.failed === null)).toBe(true);
  });

  it('writes nothing without requests, and what is pending on stop', async () => {
    const db = fakeDb();
    const sut = createScimRequestRecorder({ db: db as never, log }, 60_000);
    await sut.flush();
    expect(db.writes).toHaveLength(0);
    sut.note(request(200));
    sut.note(request(201));
    await sleep(20);
    expect(db.writes).toHaveLength(1);
    sut.note(request(401));
    await sut.stop();
    expect(db.writes).toHaveLength(2);
    expect(db.writes[1]!.failed).toMatchObject({ status: 401 });
    sut.note(request(500));
    await sleep(20);
    expect(db.writes).toHaveLength(2);
  });

  it('forgets a failed write and keeps recording', async () => {
    const db = fakeDb(true);
    const sut = createScimRequestRecorder({ db: db as never, log }, 10);
    sut.note(request(200));
    await expect(sut.flush()).resolves.toBeUndefined();
    await sut.stop();
  });
});
