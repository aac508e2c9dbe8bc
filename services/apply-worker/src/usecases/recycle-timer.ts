/**
 * The recycle timer (issue 18 item 2): a periodic pass in the apply worker that takes users a sync blocked
 * for being absent from the feed through the configured step once their grace period is over (sync config
 * recycleGraceDays, recycleAfterGrace; store/recycle-bin.repository.ts has the SQL and what each step means).
 * A pass runs under the apply lock (a run and a pass never interleave; a pass finding the lock taken skips
 * and tries again next time), in one transaction per batch: the step, its history rows, the audit entry in
 * runs.run_audit and, up to the event cap, sync.user.changed events through the outbox commit together.
 * Time comes from `now` (ApplyDeps.now), so tests move the clock across the grace period.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { commonV1, newEvent } from '@usersync/contracts';
import { outboxOf, withTransaction } from '@usersync/platform';
import { loadSyncConfig, recordRecycleAudit, type RecycleStep } from '@usersync/run-state';
import { anonymiseDue, deleteDue, selectDue } from '../store/recycle-bin.repository.js';
import { APPLY_LOCK_KEY } from './apply-run.js';
import { DEFAULT_USER_EVENT_CAP } from './run-events.js';

/** What a pass needs. */
export interface RecycleDeps {
  pool: pg.Pool;
  log: Logger;
  /** The clock (default the system clock): tests move it past the grace period. */
  now?: () => Date;
  /** Users per transaction (default 5,000). */
  batchSize?: number;
  /** Most sync.user.changed events one batch publishes; a larger batch publishes none (as a run does). */
  userEventCap?: number;
}

/** What one pass did. */
export interface RecycleOutcome {
  /** The lock was taken by an applying run: nothing done this time. */
  skipped: boolean;
  step: RecycleStep;
  /** Users anonymised or deleted. */
  users: number;
}

const DAY_MS = 86_400_000;
const outbox = outboxOf('directory');
const EVENT_ACTION = {
  anonymise: commonV1.UserAction.USER_ACTION_ANONYMISE,
  delete: commonV1.UserAction.USER_ACTION_DELETE,
} as const;

/** One pass: every user past the grace period gets the configured step, batch by batch. */
export async function recyclePass(deps: RecycleDeps): Promise<RecycleOutcome> {
  const lock = await deps.pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await lock.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS got', [
      APPLY_LOCK_KEY,
    ]);
    if (!rows[0]?.got) {
      deps.log.debug('recycle pass skipped: a run holds the apply lock');
      return { skipped: true, step: 'keep', users: 0 };
    }
    try {
      return await passLocked(deps);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1::bigint)', [APPLY_LOCK_KEY]).catch((err: Error) => {
        broken = err;
      });
    }
  } finally {
    lock.release(broken);
  }
}

async function passLocked(deps: RecycleDeps): Promise<RecycleOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const { config } = await loadSyncConfig(deps.pool);
  const step = config.recycleAfterGrace;
  if (step === 'keep') return { skipped: false, step, users: 0 };
  const cutoff = new Date(now.getTime() - config.recycleGraceDays * DAY_MS);
  const batchSize = deps.batchSize ?? 5_000;
  const log = deps.log.child({ task: 'recycle', step, graceDays: config.recycleGraceDays });
  let total = 0;
  for (;;) {
    const done = await withTransaction(deps.pool, async (client) => {
      const due = await selectDue(client, cutoff, batchSize);
      if (due.length === 0) return 0;
      if (step === 'anonymise') {
        await anonymiseDue(client, now, `anonymised after ${config.recycleGraceDays} days in the recycle bin`);
      } else {
        await deleteDue(client);
      }
      await recordRecycleAudit(client, step === 'anonymise' ? 'recycle_anonymise' : 'recycle_delete', {
        users: due.length,
        graceDays: config.recycleGraceDays,
        userIds: due.map((u) => u.userId),
      });
      const cap = deps.userEventCap ?? DEFAULT_USER_EVENT_CAP;
      if (due.length <= cap) {
        await outbox.enqueueMany(
          client,
          'sync.user.changed',
          due.map((u) =>
            newEvent('sync.user.changed', {
              runId: 0,
              username: u.username,
              action: EVENT_ACTION[step],
              changedFields: [],
              occurredAt: now,
            }),
          ),
        );
      }
      return due.length;
    });
    if (done > 0)
      log.info({ users: done }, step === 'anonymise' ? 'recycled users anonymised' : 'recycled users deleted');
    total += done;
    if (done < batchSize) break;
  }
  return { skipped: false, step, users: total };
}

/** The periodic task (platform `tasks`): a pass at start and every `everyMs`, never two at once. */
export function recycleTask(deps: RecycleDeps, everyMs: number): { start(): void; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const pass = () => {
    running ??= recyclePass(deps)
      .catch((err: unknown) => deps.log.warn({ err }, 'recycle pass failed'))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    start() {
      pass();
      timer = setInterval(pass, everyMs).unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
