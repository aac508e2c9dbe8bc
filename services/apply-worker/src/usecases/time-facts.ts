/**
 * What the guards over time compare a planned run with (domain/time-guards.ts): the blocks applied in the
 * rolling windows and the recent median (run-state's recentBlocks, at the worker's clock), and the planned
 * membership removals per group (only when a group guard is configured: the count reads the plan's changes).
 */
import type pg from 'pg';
import { recentBlocks } from '@usersync/run-state';
import type { ApplySettings } from '../domain/apply-settings.js';
import { guardsGroups } from '../domain/time-guards.js';
import type { PlanFacts } from '../domain/hold-policy.js';
import { plannedGroupRemovals } from '../store/group-removals.repository.js';

export async function timeFacts(
  client: pg.ClientBase,
  settings: ApplySettings,
  now: Date,
): Promise<NonNullable<PlanFacts['time']>> {
  return {
    recent: await recentBlocks(client, now),
    groupRemovals: guardsGroups(settings) ? await plannedGroupRemovals(client) : [],
  };
}
