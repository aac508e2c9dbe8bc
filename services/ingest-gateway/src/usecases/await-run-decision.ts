/**
 * start-sync's bounded wait (issue 16): after a run is queued, the JSON and XML answers wait a little for
 * the apply-worker's decision (applied, held, failed, cancelled) so a script learns it without a second
 * call. The run is polled with one short query at a time: no connection or transaction is held while
 * sleeping, and a database error ends the wait (the run is queued either way; the answer says so).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunRow } from '@usersync/run-state';

export interface AwaitRunDecisionOptions {
  /** How long to wait in all; 0 returns the run as given. */
  waitMs: number;
  /** Ends the wait early (the client went away, the server is stopping). */
  signal?: AbortSignal;
  /** First pause between reads; it grows by half up to `maxPollMs`. */
  firstPollMs?: number;
  maxPollMs?: number;
}

export interface RunDecisionWait {
  /** The run as last read: still `running` when the worker did not decide within the wait. */
  run: RunRow;
  /** Why the wait ended early without a decision: a read failed. */
  error?: unknown;
}

const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 250;

/** Waits while `run` is `running`, up to `waitMs`, reading it again through `readRun`. */
export async function awaitRunDecision(
  readRun: (runId: number) => Promise<RunRow>,
  run: RunRow,
  opts: AwaitRunDecisionOptions,
): Promise<RunDecisionWait> {
  const deadline = Date.now() + opts.waitMs;
  const maxPoll = opts.maxPollMs ?? MAX_POLL_MS;
  let pause = opts.firstPollMs ?? FIRST_POLL_MS;
  let current = run;
  while (current.status === 'running') {
    const left = deadline - Date.now();
    if (left <= 0 || opts.signal?.aborted) break;
    try {
      await sleep(Math.min(pause, left), undefined, { signal: opts.signal });
    } catch {
      break; // aborted
    }
    try {
      current = await readRun(run.id);
    } catch (error) {
      return { run: current, error };
    }
    pause = Math.min(maxPoll, Math.ceil(pause * 1.5));
  }
  return { run: current };
}
