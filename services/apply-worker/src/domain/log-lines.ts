/**
 * Haplo's log grammar (reference §3.7). Per-user lines carry the username so the portal can filter a
 * run's log by user, as Haplo's troubleshooting docs tell admins to search it.
 */
import type { RunLogLine } from '@usersync/run-state';

/** `START: <date>` / `END: <date>` in JavaScript's Date#toString form, as Haplo writes them. */
export const startLine = (at: Date): RunLogLine => ({ level: 'info', username: null, text: `START: ${at.toString()}` });
export const endLine = (at: Date): RunLogLine => ({ level: 'info', username: null, text: `END: ${at.toString()}` });

/** `ERROR: <message>`: the message already carries ` (record N, user X)` where Haplo adds it. */
export const errorLine = (message: string, username: string | null): RunLogLine => ({
  level: 'error',
  username,
  text: `ERROR: ${message}`,
});

export const noteLine = (text: string, username: string | null): RunLogLine => ({ level: 'info', username, text });

export const noChangesLine = (n: number): RunLogLine => noteLine(`${n} user records had no changes`, null);
export const blockedLine = (n: number): RunLogLine => noteLine(`Blocked ${n} users`, null);

/** Haplo's exception line; `where` adds `. File: <file>, line: <n>` when the failure has a location. */
export function exceptionLine(message: string, where?: { file: string; line?: number }): RunLogLine {
  const suffix = where ? `. File: ${where.file}, line: ${where.line ?? 'unknown'}` : '';
  return { level: 'error', username: null, text: `EXCEPTION: Error during sync: ${message}${suffix}` };
}

/** The line a held run's log ends with instead of the changes (not in Haplo, which had no holds). */
export const heldLine = (text: string): RunLogLine => ({ level: 'warning', username: null, text: `HELD: ${text}` });
