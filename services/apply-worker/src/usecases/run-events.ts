/**
 * The events a run's transaction puts in the directory outbox: sync.run.completed / held / failed,
 * and sync.user.changed for each changed user.
 *
 * Batching decision for sync.user.changed (UserChanged carries one user): a run that changes at most
 * `userEventCap` users (default 10,000) publishes one event per changed user. A larger run (a first
 * import, a mass change) publishes none: a million events would cost more than the apply itself, and
 * a consumer that needs the detail re-reads the directory when it sees sync.run.completed with counts
 * above the cap. The cap is logged with the run.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { commonV1, newEvent } from '@usersync/contracts';
import { outboxOf } from '@usersync/platform';
import { holdReasonToProto, listChangedPlanUsers, type ActionCountsRow } from '@usersync/run-state';
import type { Hold } from '../domain/hold-policy.js';

/** The directory's outbox (this service's schema). */
const outbox = outboxOf('directory');
/** Default most sync.user.changed events per run. */
export const DEFAULT_USER_EVENT_CAP = 10_000;

const USER_ACTION: Record<string, commonV1.UserAction> = {
  create: commonV1.UserAction.USER_ACTION_CREATE,
  update: commonV1.UserAction.USER_ACTION_UPDATE,
  reactivate: commonV1.UserAction.USER_ACTION_REACTIVATE,
  block: commonV1.UserAction.USER_ACTION_BLOCK,
  delete: commonV1.UserAction.USER_ACTION_DELETE,
};

const protoCounts = (c: ActionCountsRow): commonV1.ActionCounts => ({
  created: c.created ?? 0,
  updated: c.updated ?? 0,
  reactivated: c.reactivated ?? 0,
  blocked: c.blocked ?? 0,
  unchanged: c.unchanged ?? 0,
  errors: c.errors ?? 0,
});

/** sync.run.completed and the per-user events of an applied run. */
export async function publishApplied(
  client: pg.ClientBase,
  runId: number,
  counts: ActionCountsRow,
  errorCount: number,
  cap: number = DEFAULT_USER_EVENT_CAP,
  log?: Logger,
): Promise<void> {
  const appliedAt = new Date();
  await outbox.enqueue(
    client,
    'sync.run.completed',
    newEvent('sync.run.completed', { runId, counts: protoCounts(counts), errorCount, appliedAt }),
  );
  const users = await listChangedPlanUsers(client, runId, cap + 1);
  if (users.length > cap) {
    log?.info({ cap }, 'more changed users than the event cap: no sync.user.changed events for this run');
    return;
  }
  await outbox.enqueueMany(
    client,
    'sync.user.changed',
    users.map((u) =>
      newEvent('sync.user.changed', {
        runId,
        username: u.username,
        action: USER_ACTION[u.action]!,
        changedFields: u.fields,
        occurredAt: appliedAt,
      }),
    ),
  );
}

/** sync.run.held with the stored plan's counts. */
export async function publishHeld(
  client: pg.ClientBase,
  runId: number,
  hold: Hold,
  counts: ActionCountsRow,
): Promise<void> {
  await outbox.enqueue(
    client,
    'sync.run.held',
    newEvent('sync.run.held', {
      runId,
      holdReason: holdReasonToProto(hold.reason),
      holdDetail: hold.detail,
      planCounts: protoCounts(counts),
    }),
  );
}

/** sync.run.failed with the admin-facing message. */
export async function publishFailed(client: pg.ClientBase, runId: number, error: string): Promise<void> {
  await outbox.enqueue(client, 'sync.run.failed', newEvent('sync.run.failed', { runId, error }));
}

/**
 * sync.run.queued with planOnly for a follow-up run the worker opened (a partial approval's rest): the
 * worker plans it like a run start-sync held, and then announces sync.run.held.
 */
export async function publishPlanRequested(client: pg.ClientBase, runId: number): Promise<void> {
  await outbox.enqueue(
    client,
    'sync.run.queued',
    newEvent('sync.run.queued', { runId, reapply: false, planOnly: true }),
  );
}
