/** Plain-language explanations of a user's state, for admins troubleshooting a login (reference §6). */

/** The facts the notes are derived from. */
export interface NoteFacts {
  active: boolean;
  inFeed: boolean;
  error: boolean;
  managed: boolean;
  /** Run of the user's latest block, if any. */
  lastBlockRunId: number | null;
  /** Run of the user's latest reactivation, if any. */
  lastReactivateRunId: number | null;
  /** Run the last raw record came from; null when none was ever received. */
  lastRecordRunId: number | null;
  /** Errors the latest run with a log logged for this user, and that run. */
  latestRunErrors: { runId: number; count: number } | null;
}

/** Notes in the order an admin should read them: why they cannot log in first. */
export function userNotes(f: NoteFacts): string[] {
  const notes: string[] = [];
  if (!f.managed) notes.push('Not managed by the sync: runs never change this user.');
  if (!f.active && !f.inFeed) {
    notes.push(
      f.lastBlockRunId !== null
        ? `Cannot log in because they are not in the latest feed (blocked by run ${f.lastBlockRunId}).`
        : 'Cannot log in because they are not in the latest feed.',
    );
  } else if (!f.active) {
    notes.push('Cannot log in: the account is blocked although the user is in the feed.');
  } else if (!f.inFeed && f.managed) {
    notes.push('Not in the latest feed; the account is still active.');
  }
  if (f.active && f.lastReactivateRunId !== null && (f.lastBlockRunId ?? 0) < f.lastReactivateRunId) {
    notes.push(
      f.lastBlockRunId !== null
        ? `Reactivated by run ${f.lastReactivateRunId} after being blocked by run ${f.lastBlockRunId}.`
        : `Reactivated by run ${f.lastReactivateRunId}.`,
    );
  }
  if (f.error) {
    notes.push('In error state: will be re-applied on the next run, even if their record is unchanged.');
  }
  if (f.latestRunErrors && f.latestRunErrors.count > 0) {
    const n = f.latestRunErrors.count;
    notes.push(
      `Run ${f.latestRunErrors.runId} logged ${n} error${n === 1 ? '' : 's'} for this user: see History for the lines.`,
    );
  }
  if (f.lastRecordRunId === null) notes.push('No record for this user has been received from the feed.');
  return notes;
}
