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
import type pg from 'pg';
import type { CopyStatement } from '@usersync/platform';
import { bool, copyOf, copyText, CopyRows, field, jsonField } from '../engine/copy-writer.js';
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

/** Appends one feed row's COPY text to `out`. */
export function encodeFeedRow(out: CopyRows, r: FeedRow): void {
  out.add(
    `${r.rec}\t${field(r.username)}\t${bool(r.valid)}\t${bool(r.hasError)}\t${field(r.digest)}\t` +
      `${field(r.title)}\t${field(r.nameFirst)}\t${field(r.nameLast)}\t${field(r.email)}\t` +
      `${jsonField(r.groupsJson)}\t${jsonField(r.tagsJson)}\t${jsonField(r.profileJson)}\t` +
      `${jsonField(r.recordJson)}\t${r.recordDigest}\n`,
  );
}

/** Appends one log row's COPY text to `out`. */
export function encodeFeedLogRow(out: CopyRows, r: FeedLogRow): void {
  out.add(`${r.rec}\t${r.sub}\t${r.level}\t${field(r.username)}\t${field(r.text)}\n`);
}

/** The COPYs of one chunk's rows and lines into the temporary tables, for copyBatch (the rows are taken). */
export function feedChunkCopies(feed: CopyRows, log: CopyRows): CopyStatement[] {
  return [
    copyOf(
      `COPY feed (rec, username, valid, has_error, digest, title, name_first, name_last, email, groups, tags,
       profile, record, record_digest) FROM STDIN`,
      feed,
    ),
    copyOf('COPY feed_log (rec, sub, level, username, text) FROM STDIN', log),
  ];
}

/** Fills feed_absent. */
export async function copyAbsentUsers(client: pg.ClientBase, usernames: Iterable<string>): Promise<void> {
  const rows = new CopyRows();
  for (const username of usernames) rows.add(`${field(username)}\n`);
  await copyText(client, 'COPY feed_absent (username) FROM STDIN', rows);
}

/** Statistics for the planner (temporary tables are never auto-analysed); only the columns it joins on. */
export async function analyzeFeed(client: pg.ClientBase): Promise<void> {
  await client.query('ANALYZE feed (rec, username, valid); ANALYZE feed_absent');
}
