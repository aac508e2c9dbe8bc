import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '@usersync/platform';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import {
  canonicalJson,
  compile,
  createParallelBatch,
  desiredStateDigest,
  parseControlFile,
  type Batch,
  type DesiredUser,
  type FileSources,
} from '@usersync/control-file';
import { createFeedTables } from '../store/feed.repository.js';
import { desiredParts, transformBatch, transformIntoFeed, type TransformStats } from './transform-stage.js';
import { BaselineIndex as Baseline, matchKeyOf } from '../engine/baseline-index.js';

const users: DesiredUser[] = [
  { username: 'jb', nameFirst: 'Joe', nameLast: 'Bloggs', email: 'j@x', groups: [], tags: {}, profile: {} },
  {
    username: 'ab\u00e9',
    title: 'Dr',
    nameFirst: 'A "quoted" \\ name',
    nameLast: 'Ünïcode\n',
    email: 'a@b',
    groups: ['researchers', 'staff'],
    tags: { z: '1', a: '2', department: 'chem' },
    profile: { 'std:attribute:telephone': [{ number: '+44', country: 'GB' }], 'a:b': ['x', 'y'] },
  },
];

describe('desiredParts', () => {
  it('gives the same digest as desiredStateDigest and the canonical JSON of each column', () => {
    for (const desired of users) {
      const parts = desiredParts(desired);
      expect(parts.digest).toBe(desiredStateDigest(desired));
      expect(parts.groups).toBe(canonicalJson(desired.groups));
      expect(JSON.parse(parts.tags)).toEqual(desired.tags);
      expect(JSON.parse(parts.profile)).toEqual(desired.profile);
    }
  });
});

// The feed the stage writes must not depend on which batch transformed the records.
const control = {
  dataImportControlFileVersion: 0,
  model: 'haplo:user-sync',
  files: { staff: { read: 'json' }, extra: { read: 'csv' } },
  instructions: [
    { source: 'ID', destination: 'user', name: 'username' },
    { source: 'TITLE', destination: 'user', name: 'title' },
    { source: 'FIRST', destination: 'user', name: 'nameFirst' },
    { source: 'LAST', destination: 'user', name: 'nameLast' },
    { source: 'EMAIL', destination: 'user', name: 'email' },
    { source: 'GROUP', destination: 'user', name: 'groups', multivalue: true },
    { source: 'DEPT', destination: 'user:tags', name: 'department' },
    { source: 'START', destination: 'profile', name: 'std:attribute:start-date', dateFormat: 'yyyy-MM-dd' },
  ],
};

function staffJson(count: number): string {
  const records = Array.from({ length: count }, (_, n) => {
    const r: Record<string, unknown> = {
      ID: n % 97 === 5 ? `U${n - 1}` : `u${n}`, // duplicates, found after lowercasing
      FIRST: n % 13 === 0 ? 'Tab\there \\ back' : `First${n}`,
      LAST: n % 11 === 0 ? 'Nul\u0000char' : `Last${n}`,
      EMAIL: `u${n}@example.org`,
      GROUP: n % 7 === 0 ? ['staff', 'unmanaged'] : n % 5 === 0 ? 'students' : 'staff',
      DEPT: `d${n % 3}`,
      START: n % 17 === 0 ? '2020-02-31' : '2021-09-01',
    };
    if (n % 3 === 0) r.TITLE = 'Dr';
    if (n % 41 === 0) delete r.ID;
    if (n % 43 === 0) delete r.EMAIL;
    return r;
  });
  return JSON.stringify(records).replace(/\},\{/g, '},\n{');
}

const extraCsv = 'ID,FIRST,LAST,EMAIL,GROUP\nu3,Dup,Licate,d@x,staff\nnew1,N,E,n@x,students\n,No,Id,x@y,staff\n';

describe('transformIntoFeed', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  async function feedOf(batch: Batch, files: FileSources, baseline = new Baseline(), skipUnchanged = false) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await createFeedTables(client);
      const progress: number[] = [];
      const rules = {
        managedGroups: new Set(['staff', 'students']),
        baseline,
        blockInvalidRecords: false,
        skipUnchanged,
      };
      const stats: TransformStats = await transformIntoFeed(client, batch, files, rules, {
        progress: (n) => progress.push(n),
        checkpoint: async () => undefined,
      });
      const feed = await client.query('SELECT * FROM feed ORDER BY rec');
      const log = await client.query('SELECT * FROM feed_log ORDER BY rec, sub');
      return { stats, feed: feed.rows as unknown[], log: log.rows as unknown[], progress: progress.at(-1) };
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  it('writes the same feed, log and counts with the sequential and the parallel batch', async () => {
    const parsed = parseControlFile(JSON.stringify(control));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const text = staffJson(3_000);
    const files: FileSources = {
      staff: () => Readable.from([Buffer.from(text)]),
      extra: () => Readable.from([extraCsv]),
    };
    const sequential = await feedOf(compile(parsed.controlFile), files);
    const parallel = await feedOf(createParallelBatch(parsed.controlFile, { threads: 2, segmentChars: 4096 }), files);
    const auto = await feedOf(transformBatch(parsed.controlFile, 2), files);
    expect(sequential.stats).toMatchObject({ records: 3_003 });
    expect(sequential.stats.failedRecords).toBeGreaterThan(100);
    expect(sequential.log.length).toBeGreaterThan(300);
    for (const other of [parallel, auto]) {
      expect(other.stats).toEqual(sequential.stats);
      expect(other.progress).toBe(sequential.progress);
      expect(other.feed).toEqual(sequential.feed);
      expect(other.log).toEqual(sequential.log);
    }
  });

  it('leaves out records unchanged against the baseline and leaves the absent users in it', async () => {
    const parsed = parseControlFile(JSON.stringify(control));
    if (!parsed.ok) throw new Error('bad control file');
    const files: FileSources = { staff: () => Readable.from([staffJson(20)]), extra: () => Readable.from([extraCsv]) };
    const full = await feedOf(compile(parsed.controlFile), files);
    type Row = { username: string; valid: boolean; has_error: boolean; digest: string; record_digest: string };
    const rows = full.feed as Row[];
    // A record with an ERROR line is re-applied whatever its digests (its user gets the error flag).
    const clean = rows.filter((r) => r.valid && !r.has_error);
    expect(clean.length).toBeGreaterThan(10);
    const [changed, flagged, ...same] = clean;
    const baselineOf = () => {
      const baseline = new Baseline();
      for (const r of same) baseline.add(r.username, matchKeyOf(r.digest, r.record_digest));
      baseline.add(changed!.username, matchKeyOf(changed!.digest, '0'.repeat(40)));
      baseline.add(flagged!.username, null);
      baseline.add('gone', matchKeyOf('a'.repeat(64), 'b'.repeat(40)));
      return baseline;
    };
    // Transformed and compared, or (same transform fingerprint) not even transformed: the same feed and log.
    for (const skipUnchanged of [false, true]) {
      const baseline = baselineOf();
      const partial = await feedOf(compile(parsed.controlFile), files, baseline, skipUnchanged);
      expect(partial.stats.unchanged).toBe(same.length);
      expect(partial.stats.skipped).toBe(skipUnchanged ? same.length : 0);
      expect(partial.stats.records).toBe(full.stats.records);
      expect(partial.stats.validRecords).toBe(full.stats.validRecords);
      const names = (partial.feed as Array<{ username: string }>).map((r) => r.username);
      expect(names).toEqual(expect.arrayContaining([changed!.username, flagged!.username]));
      for (const r of same) expect(names).not.toContain(r.username);
      expect(partial.feed).toHaveLength(rows.length - same.length);
      expect(partial.log).toEqual(full.log);
      expect([...baseline.absent()]).toEqual(['gone']);
    }
  });

  it('transformBatch: threads 0 is the sequential batch, more is the parallel one (worker-computed pieces)', async () => {
    const parsed = parseControlFile(JSON.stringify(control));
    if (!parsed.ok) throw new Error('bad control file');
    const files: FileSources = { staff: () => Readable.from([staffJson(3)]), extra: () => Readable.from([extraCsv]) };
    const first = async (batch: Batch) => {
      for await (const outcome of batch.records(files)) if (outcome.status === 'ok') return outcome;
      throw new Error('no records');
    };
    expect((await first(transformBatch(parsed.controlFile, 0))).parts).toBeUndefined();
    for (const threads of [1, 2]) {
      const parallel = await first(transformBatch(parsed.controlFile, threads));
      expect(parallel.parts?.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(parallel.recordJson).toContain('"ID":"u1"');
    }
  });
});
