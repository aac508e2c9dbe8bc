/**
 * A run's report from what is stored: run-state's report data, the first users its plan blocks, and
 * their departments from lookup-service (best effort: a lookup that fails leaves them out).
 */
import type pg from 'pg';
import { loadRunReportData, plannedBlocks, type RunRow } from '@usersync/run-state';
import type { DepartmentLookup } from '../clients/lookup.client.js';
import {
  BLOCKED_USERS_SHOWN,
  ERROR_LINES_SHOWN,
  buildRunReport,
  type BlockedUser,
  type OutcomeKind,
  type ReportInputs,
  type RunReport,
} from '../domain/run-report.js';

/** Where a report's data comes from. */
export interface ReportSources {
  pool: pg.Pool;
  publicUrl: string;
  host: string;
  lookup: DepartmentLookup;
}

/** The users a held or complete run blocks (the first few), with departments where lookup-service knows them. */
async function blockedUsers(src: ReportSources, runId: number): Promise<{ users: BlockedUser[]; total: number }> {
  const { users, total } = await plannedBlocks(src.pool, runId, BLOCKED_USERS_SHOWN);
  if (users.length === 0) return { users: [], total };
  const departments = await src.lookup.departments(users.map((u) => u.username)).catch(() => new Map<string, string>());
  return {
    users: users.map((u) => ({ ...u, department: departments.get(u.username) ?? null })),
    total,
  };
}

/** The report of `kind` for a run, and the run as stored now. */
export async function loadReport(
  src: ReportSources,
  kind: OutcomeKind,
  runId: number,
  facts: ReportInputs['event'],
): Promise<{ report: RunReport; run: RunRow }> {
  const data = await loadRunReportData(src.pool, runId, ERROR_LINES_SHOWN);
  const blocked = kind === 'held' || kind === 'completed' ? await blockedUsers(src, runId) : undefined;
  const report = buildRunReport({ host: src.host, publicUrl: src.publicUrl, kind, event: facts, ...data, blocked });
  return { report, run: data.run };
}
