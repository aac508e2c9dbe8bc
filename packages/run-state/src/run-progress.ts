/**
 * runs.run_progress: how far the apply worker has got with a run. The worker writes it on its pool,
 * outside the apply transaction (so it shows while the run is running), throttled by the caller;
 * GetRun and the run status API read it. {@link progressReport} turns a row into the figures people and
 * scripts read (percent, elapsed, ETA, staleness): one pure function, so the portal and the API agree.
 */
import type { Queryable } from './run.repository.js';

/** Phases in order; the last four are final. */
export type RunProgressPhase =
  'waiting' | 'transform' | 'plan' | 'apply' | 'complete' | 'held' | 'failed' | 'cancelled';

/** What `processed` and `total` count: bytes read while transforming, records while planning and applying. */
export type ProgressUnit = 'records' | 'bytes';

/** The phases in which the worker is at work (a stopped heartbeat there means trouble). */
const ACTIVE_PHASES: ReadonlySet<string> = new Set(['transform', 'plan', 'apply']);

/** Seconds without a sign of the worker before a running run counts as stalled. */
export const STALL_AFTER_SECONDS = 60;

/** A run's progress as last written. */
export interface RunProgress {
  phase: RunProgressPhase;
  unit: ProgressUnit;
  processed: number;
  /** Of how many; null while unknown. */
  total: number | null;
  /** When the worker picked the run up. */
  startedAt: Date;
  /** When the current phase began (the ETA's rate is the phase's own). */
  phaseStartedAt: Date;
  /** When the figures (phase, processed, total) last changed. */
  updatedAt: Date;
  /** When the worker last wrote at all (it writes at least every few seconds while alive). */
  heartbeatAt: Date;
}

/** What the worker writes besides phase and count (all optional, so a bare count still works). */
export interface ProgressExtent {
  unit?: ProgressUnit;
  total?: number | null;
  startedAt?: Date;
  phaseStartedAt?: Date;
}

/**
 * Records the run's current progress (one row per run, overwritten). `updated_at` moves only when the
 * figures change; `heartbeat_at` on every write. Start times default to the first write's.
 */
export async function writeRunProgress(
  db: Queryable,
  runId: number,
  phase: RunProgressPhase,
  processed: number,
  extent: ProgressExtent = {},
): Promise<void> {
  await db.query(
    `INSERT INTO runs.run_progress AS p (run_id, phase, processed, unit, total, started_at, phase_started_at)
     VALUES ($1, $2, $3, $4, $5, COALESCE($6, now()), COALESCE($7, now()))
     ON CONFLICT (run_id) DO UPDATE SET
       phase = EXCLUDED.phase, processed = EXCLUDED.processed, unit = EXCLUDED.unit, total = EXCLUDED.total,
       started_at = COALESCE($6, p.started_at),
       phase_started_at = COALESCE($7, CASE WHEN p.phase = EXCLUDED.phase THEN p.phase_started_at ELSE now() END),
       updated_at = CASE WHEN (p.phase, p.processed, p.unit, p.total)
                              IS DISTINCT FROM (EXCLUDED.phase, EXCLUDED.processed, EXCLUDED.unit, EXCLUDED.total)
                         THEN now() ELSE p.updated_at END,
       heartbeat_at = now()`,
    [
      runId,
      phase,
      processed,
      extent.unit ?? 'records',
      extent.total ?? null,
      extent.startedAt ?? null,
      extent.phaseStartedAt ?? null,
    ],
  );
}

interface ProgressRow {
  phase: RunProgressPhase;
  unit: ProgressUnit;
  processed: string;
  total: string | null;
  started_at: Date;
  phase_started_at: Date;
  updated_at: Date;
  heartbeat_at: Date;
}

/** The run's progress, or undefined before the worker picked it up. */
export async function readRunProgress(db: Queryable, runId: number): Promise<RunProgress | undefined> {
  const { rows } = await db.query<ProgressRow>(
    `SELECT phase, unit, processed, total, started_at, phase_started_at, updated_at, heartbeat_at
     FROM runs.run_progress WHERE run_id = $1`,
    [runId],
  );
  const r = rows[0];
  return (
    r && {
      phase: r.phase,
      unit: r.unit,
      processed: Number(r.processed),
      total: r.total === null ? null : Number(r.total),
      startedAt: r.started_at,
      phaseStartedAt: r.phase_started_at,
      updatedAt: r.updated_at,
      heartbeatAt: r.heartbeat_at,
    }
  );
}

/** The figures `GET /api/user-sync/runs/:id` returns as `progress` (the portal shows the same). */
export interface ProgressReport {
  phase: string;
  unit: ProgressUnit;
  processed: number;
  total: number | null;
  /** 0–100, one decimal; null without a total. */
  percent: number | null;
  startedAt: string;
  updatedAt: string;
  /** From pick-up to now (to the last update once the run is settled). */
  elapsedSeconds: number;
  /** At the current phase's own rate; null when it cannot be told (no total, nothing done yet, settled). */
  etaSeconds: number | null;
  secondsSinceUpdate: number;
  /** The run is in a working phase but the worker has shown nothing for longer than the threshold. */
  stalled: boolean;
}

/** What {@link progressReport} needs; the proto RunProgress and {@link RunProgress} both fit. */
export interface ProgressFigures {
  phase: string;
  unit?: string;
  processed: number;
  total?: number | null;
  startedAt?: Date;
  phaseStartedAt?: Date;
  updatedAt?: Date;
  heartbeatAt?: Date;
}

const seconds = (from: Date, to: Date) => Math.max(0, Math.floor((to.getTime() - from.getTime()) / 1000));

/**
 * The report of a progress row at `now` (pure). Stalled means, in a working phase: no write for more
 * than `stallAfter` seconds (the worker is gone or hung), or, while transforming (where the count moves
 * with every chunk read), no change for that long. Plan and apply run single long SQL statements, so
 * there a live heartbeat with a still count is normal. `workerActive: false` (the run is no longer
 * running, whatever phase the row last named) makes it settled: no ETA, never stalled.
 */
export function progressReport(
  p: ProgressFigures,
  now: Date,
  opts: { stallAfter?: number; workerActive?: boolean } = {},
): ProgressReport {
  const stallAfter = opts.stallAfter ?? STALL_AFTER_SECONDS;
  const updatedAt = p.updatedAt ?? now;
  const startedAt = p.startedAt ?? updatedAt;
  const phaseStartedAt = p.phaseStartedAt ?? startedAt;
  const heartbeatAt = p.heartbeatAt ?? updatedAt;
  // The run's status has the last word: a run cancelled or failed under a dead worker keeps its last phase.
  const active = ACTIVE_PHASES.has(p.phase) && opts.workerActive !== false;
  const total = p.total ?? null;
  const processed = p.processed;
  const percent =
    total === null ? null : total === 0 ? 100 : Math.min(100, Math.floor((processed / total) * 1000) / 10);
  const phaseSeconds = (now.getTime() - phaseStartedAt.getTime()) / 1000;
  let etaSeconds: number | null = null;
  if (active && total !== null && processed >= total) etaSeconds = 0;
  else if (active && total !== null && processed > 0 && phaseSeconds > 0)
    etaSeconds = Math.ceil(((total - processed) * phaseSeconds) / processed);
  const secondsSinceUpdate = seconds(updatedAt, now);
  const silent = seconds(heartbeatAt, now) > stallAfter;
  const still = p.phase === 'transform' && secondsSinceUpdate > stallAfter;
  return {
    phase: p.phase,
    unit: p.unit === 'bytes' ? 'bytes' : 'records',
    processed,
    total,
    percent,
    startedAt: startedAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
    elapsedSeconds: seconds(
      startedAt,
      active || (p.phase === 'waiting' && opts.workerActive !== false) ? now : updatedAt,
    ),
    etaSeconds,
    secondsSinceUpdate,
    stalled: active && (silent || still),
  };
}
