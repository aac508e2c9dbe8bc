/**
 * Which channels hear of a run outcome. Every outcome of a file run goes to every recipient, as Haplo's
 * report did. The SCIM source opens a run per batch window with changes (every few seconds while an IdP
 * provisions), so a SCIM run that completed cleanly (no errors) is not mailed: email recipients hear of a
 * SCIM run that was held, failed, was cancelled or had errors; webhooks, which machines read, get every run.
 */
import type { RunRow } from '@usersync/run-state';

export type Channel = 'email' | 'webhook';

/** Whether `channel` gets the report of `kind` ("completed", "held", ...) for `run`. */
export function reportsTo(channel: Channel, kind: string, run: Pick<RunRow, 'source' | 'errorCount'>): boolean {
  if (channel === 'webhook' || run.source !== 'scim') return true;
  return kind !== 'completed' || run.errorCount > 0;
}
