/**
 * The pipeline bench's floor (DESIGN §10): what any importer of the same feed must do at least, timed
 * on the same machine in the same run, with nothing generated inside the timed parts.
 *
 * 1. parse + hash: read the feed file, parse every record, sha256 each record's JSON (a re-sync needs a
 *    digest per record to know what changed).
 * 2. COPY: the same users' rows, written to a file beforehand (untimed), streamed from disk by COPY into
 *    one table with a unique index on username: the user's columns, tags and profile as jsonb, the
 *    desired-state digest, the raw record once as jsonb and its digest.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { readRecords } from '@usersync/control-file';
import { benchRecord } from './feed-generator.js';

const DEPARTMENTS: Record<string, string> = {
  CHEM: 'chemistry',
  HIST: 'history',
  PHYS: 'physics',
  MATH: 'mathematics',
  LAW: 'law',
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** COPY text format: JSON.stringify output needs only its backslashes doubled. */
const copyJson = (json: string) => (json.includes('\\') ? json.replace(/\\/g, '\\\\') : json);

/** Writes the floor's COPY rows for the first feed (record n as `writeFeed` writes it) to `path`. Untimed. */
export async function writeFloorRows(path: string, users: number): Promise<void> {
  const out = createWriteStream(path);
  for (let n = 0; n < users; n++) {
    const r = benchRecord(n);
    const record = JSON.stringify(r);
    const profile = JSON.stringify({
      'std:attribute:department': DEPARTMENTS[r.DEPT!],
      'std:attribute:job-title': [r.JOB],
      'std:attribute:telephone': [`+44${r.PHONE!.replace(/^0| /g, '')}`],
      'std:attribute:employee-id': r.EMPNO,
      'std:attribute:start-date': r.START,
    });
    const row =
      `${r.ID!.toLowerCase()}\t${r.TITLE}\t${r.FIRST}\t${r.LAST}\t${r.EMAIL!.toLowerCase()}\t` +
      `{"department":"${r.DEPT}"}\t${copyJson(profile)}\t${sha256(profile)}\t${copyJson(record)}\t${sha256(record)}\n`;
    if (!out.write(row)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Floor 1: read the file, parse every record and hash each one (no transform, no database). */
export async function parseAndHashFloor(path: string, users: number): Promise<number> {
  const started = Date.now();
  let n = 0;
  for await (const record of readRecords('people', { read: 'json' }, createReadStream(path))) {
    if (!record) continue;
    createHash('sha256').update(JSON.stringify(record)).digest('hex');
    n++;
  }
  if (n !== users) throw new Error(`parsed ${n} records`);
  return Date.now() - started;
}

/** Floor 2: COPY of the pre-written rows file into one table with a unique index on username. */
export async function copyFloor(pool: pg.Pool, rowsPath: string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query(
      `CREATE TEMP TABLE floor (username text NOT NULL UNIQUE, title text, name_first text, name_last text,
         email text, tags jsonb, profile jsonb, desired_digest text, record jsonb, record_digest text)`,
    );
    const started = Date.now();
    await pipeline(
      createReadStream(rowsPath, { highWaterMark: 1024 * 1024 }),
      client.query(copyFrom('COPY floor FROM STDIN')),
    );
    return Date.now() - started;
  } finally {
    await client.query('DROP TABLE IF EXISTS floor').catch(() => undefined);
    client.release();
  }
}
