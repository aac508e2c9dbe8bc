/**
 * Writes a run's log rows in Haplo's order (reference §2.11, §3.7): START, then per record in record
 * order its action line and its ERROR/notes lines, `N user records had no changes`, the block lines,
 * `Blocked N users`, END. Per-record lines come from the temp tables in one statement each. The ERROR
 * lines are then grouped by message once, for the review page (run-state's storeErrorGroups).
 */
import type pg from 'pg';
import { appendRunLog, appendRunLogFrom, clearRunLog, storeErrorGroups, type RunLogLine } from '@usersync/run-state';
import { blockedLine, endLine, heldLine, noChangesLine, startLine } from '../domain/log-lines.js';

// Action lines sort before the record's own lines (sub 1…); records are numbered across all files.
const RECORD_LINES = `
  SELECT p.rec::bigint * 100000 AS ord, 'info' AS level, p.username, p.action || ' ' || p.username AS text
  FROM plan p WHERE p.action IN ('create', 'update', 'reactivate') AND $3::boolean
  UNION ALL
  SELECT l.rec::bigint * 100000 + l.sub, l.level, l.username, l.text FROM feed_log l`;
const BLOCK_LINES = `SELECT username AS ord, 'info' AS level, username, 'block ' || username AS text
  FROM plan WHERE action = 'block'`;

/**
 * The start of a direct first import's log (START alone): its per-record lines are then COPYed in order
 * while it transforms, from seq 1 (usecases/transform-stage.ts), and writeAppliedLog adds the rest.
 */
export async function startDirectImportLog(client: pg.ClientBase, runId: number, start: Date): Promise<number> {
  await clearRunLog(client, runId);
  return appendRunLog(client, runId, [startLine(start)], 0);
}

/**
 * The log of an applied run. `preamble` holds run-level lines after START (e.g. the H1 error).
 * `written`: START and the per-record lines are in already (a direct first import); `nextSeq` follows them.
 */
export async function writeAppliedLog(
  client: pg.ClientBase,
  runId: number,
  times: { start: Date; end: Date },
  preamble: RunLogLine[],
  counts: { unchanged: number; blocked: number },
  written?: { nextSeq: number },
): Promise<void> {
  let seq: number;
  if (written) seq = written.nextSeq;
  else {
    await clearRunLog(client, runId);
    seq = await appendRunLog(client, runId, [startLine(times.start), ...preamble], 0);
    seq = await appendRunLogFrom(client, runId, seq, RECORD_LINES, [true]);
  }
  seq = await appendRunLog(client, runId, [noChangesLine(counts.unchanged)], seq);
  seq = await appendRunLogFrom(client, runId, seq, BLOCK_LINES);
  const tail = counts.blocked > 0 ? [blockedLine(counts.blocked), endLine(times.end)] : [endLine(times.end)];
  await appendRunLog(client, runId, tail, seq);
  await storeErrorGroups(client, runId);
}

/** The log of a held run: the records' problems and why it waits; the changes are in the plan preview. */
export async function writeHeldLog(
  client: pg.ClientBase,
  runId: number,
  times: { start: Date; end: Date },
  preamble: RunLogLine[],
  holdText: string,
): Promise<void> {
  await clearRunLog(client, runId);
  let seq = await appendRunLog(client, runId, [startLine(times.start), ...preamble], 0);
  seq = await appendRunLogFrom(client, runId, seq, RECORD_LINES, [false]);
  await appendRunLog(client, runId, [heldLine(holdText), endLine(times.end)], seq);
  await storeErrorGroups(client, runId);
}

/** The log of a run that failed or was cancelled: nothing of it was applied. */
export async function writeOutcomeLog(
  client: pg.ClientBase,
  runId: number,
  times: { start: Date; end: Date },
  lines: RunLogLine[],
): Promise<void> {
  await clearRunLog(client, runId);
  await appendRunLog(client, runId, [startLine(times.start), ...lines, endLine(times.end)], 0);
  await storeErrorGroups(client, runId);
}
