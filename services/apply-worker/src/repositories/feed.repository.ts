/**
 * The run's feed inside the apply transaction: three temporary tables filled by COPY (never a query per
 * record) that the planner joins against the directory. Dropped at commit or rollback.
 *   feed      one row per record that named a user (first record wins on duplicates). The JSON columns
 *             are text, cast only where a row is written (json) or compared (jsonb, the few updates).
 *   feed_log  the per-record log lines (ERROR lines, notes), ordered by record and position
 *   feed_absent  the in-feed users the file did not name (or named only in failed records, with Haplo's
 *             old rule): the block candidates, from the baseline left over after the transform
 * Records unchanged against the baseline are in none of them.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { RunLogLevel } from '@usersync/run-state';

/** One feed row as COPY receives it. `desired` fields are null for a record that did not transform. */
export interface FeedRow {
  rec: number;
  username: string;
  /** The record transformed into a desired state. */
  valid: boolean;
  /** An error was attributed to the user in this record (user.error is set; re-applied next run). */
  hasError: boolean;
  digest: string | null;
  title: string | null;
  nameFirst: string | null;
  nameLast: string | null;
  email: string | null;
  /** JSON texts. */
  groupsJson: string | null;
  tagsJson: string | null;
  profileJson: string | null;
  recordJson: string;
  recordDigest: string;
}

/** One per-record log line; `sub` orders lines within a record after its action line (sub 0). */
export interface FeedLogRow {
  rec: number;
  sub: number;
  level: RunLogLevel;
  username: string | null;
  text: string;
}

/** Creates the temporary tables for this transaction. */
export async function createFeedTables(client: pg.ClientBase): Promise<void> {
  await client.query(`
    CREATE TEMP TABLE feed (
      rec int NOT NULL, username text NOT NULL, valid boolean NOT NULL, has_error boolean NOT NULL,
      digest text, title text, name_first text, name_last text, email text,
      groups text, tags text, profile text, record text NOT NULL, record_digest text NOT NULL
    ) ON COMMIT DROP;
    CREATE TEMP TABLE feed_log (rec int NOT NULL, sub int NOT NULL, level text NOT NULL, username text, text text NOT NULL)
      ON COMMIT DROP;
    CREATE TEMP TABLE feed_absent (username text NOT NULL) ON COMMIT DROP;`);
}

// COPY text format: backslash, tab, newline and carriage return are escaped; \N is NULL. PostgreSQL
// text cannot hold NUL, so it becomes U+FFFD rather than failing the whole run on one odd byte.
const SPECIAL = /[\\\t\n\r\0]/;
function field(value: string | null): string {
  if (value === null) return '\\N';
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r\0]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\uFFFD',
  );
}

// jsonb (the planner's casts) rejects the escape \u0000; JSON.stringify writes NUL that way. Odd backslash runs only. JSON
// without a backslash (nearly every record) needs no escaping of any kind: one scan decides.
function jsonField(json: string | null): string {
  if (json === null) return '\\N';
  if (!SPECIAL.test(json)) return json;
  if (json.includes('\\u0000')) json = json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
  return field(json);
}

const bool = (b: boolean) => (b ? 't' : 'f');

/** The COPY text of feed rows. */
export function encodeFeedRows(rows: readonly FeedRow[]): string {
  let out = '';
  for (const r of rows) {
    out +=
      `${r.rec}\t${field(r.username)}\t${bool(r.valid)}\t${bool(r.hasError)}\t${field(r.digest)}\t` +
      `${field(r.title)}\t${field(r.nameFirst)}\t${field(r.nameLast)}\t${field(r.email)}\t` +
      `${jsonField(r.groupsJson)}\t${jsonField(r.tagsJson)}\t${jsonField(r.profileJson)}\t` +
      `${jsonField(r.recordJson)}\t${r.recordDigest}\n`;
  }
  return out;
}

/** The COPY text of log rows. */
export function encodeFeedLogRows(rows: readonly FeedLogRow[]): string {
  let out = '';
  for (const r of rows) out += `${r.rec}\t${r.sub}\t${r.level}\t${field(r.username)}\t${field(r.text)}\n`;
  return out;
}

async function copyText(client: pg.ClientBase, sql: string, text: string): Promise<void> {
  if (text === '') return;
  await pipeline(Readable.from([text]), client.query(copyFrom(sql)));
}

/** Appends one chunk of rows and lines to the temporary tables. */
export async function copyFeedChunk(client: pg.ClientBase, feed: string, log: string): Promise<void> {
  await copyText(
    client,
    `COPY feed (rec, username, valid, has_error, digest, title, name_first, name_last, email, groups, tags, profile,
       record, record_digest) FROM STDIN`,
    feed,
  );
  await copyText(client, 'COPY feed_log (rec, sub, level, username, text) FROM STDIN', log);
}

/** Fills feed_absent. */
export async function copyAbsentUsers(client: pg.ClientBase, usernames: Iterable<string>): Promise<void> {
  let text = '';
  for (const username of usernames) text += `${field(username)}\n`;
  await copyText(client, 'COPY feed_absent (username) FROM STDIN', text);
}

/** Statistics for the planner (temporary tables are never auto-analysed); only the columns it joins on. */
export async function analyzeFeed(client: pg.ClientBase): Promise<void> {
  await client.query('ANALYZE feed (rec, username, valid); ANALYZE feed_absent');
}
