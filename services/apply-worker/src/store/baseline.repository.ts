/**
 * Loads the baseline index (engine/baseline-index.ts) with one COPY: every managed in-feed user's
 * username and match key (16 hex digits each of the stored desired-state and raw-record digests).
 * Read inside the apply transaction under the apply lock: only the apply worker changes digests,
 * in_feed and managed, so the baseline stays true for the run. An error flag set by lookup meanwhile
 * is honoured by the next run, as the flag means "re-apply next run".
 */
import type pg from 'pg';
import type { RunSource } from '@usersync/run-state';
import { to as copyTo } from 'pg-copy-streams';
import { readBaselineCopy, type BaselineIndex } from '../engine/baseline-index.js';

/**
 * Loads the baseline of one source's users (a run never plans another source's); with `updateAll` (force
 * update) no user is eligible, so every record is re-applied.
 */
export async function loadBaseline(
  client: pg.ClientBase,
  source: RunSource,
  updateAll: boolean,
): Promise<BaselineIndex> {
  // The source is one of two fixed words (RunSource), checked here because COPY takes no parameters.
  if (source !== 'file' && source !== 'scim') throw new Error(`unknown source ${String(source)}`);
  const stream = client.query(
    copyTo(`COPY (SELECT u.username,
        CASE WHEN ${updateAll ? 'true' : 'false'} OR u.error OR u.desired_digest IS NULL OR l.record_digest IS NULL
             THEN '' ELSE left(u.desired_digest, 16) || left(l.record_digest, 16) END
      FROM directory."user" u LEFT JOIN directory.last_record l ON l.user_id = u.id
      WHERE u.managed AND u.in_feed AND u.source = '${source}') TO STDOUT`),
  );
  return readBaselineCopy(stream as AsyncIterable<Buffer>);
}
