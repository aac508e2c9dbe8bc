/**
 * The run page's progress figures (partials/runs/progress.eta), from GetRun's RunProgress through
 * run-state's progressReport: the same numbers the run status API returns, worded for people.
 */
import type { runsV1 } from '@usersync/contracts';
import { progressReport, type ProgressReport } from '@usersync/run-state';

/** What the progress partial shows. */
export interface ProgressView {
  report: ProgressReport;
  /** "Reading the files", "Planning", "Applying", or the phase's own name. */
  phaseLabel: string;
  /** "12.3 MiB of 40.0 MiB (30.7 %)" or "1,500 of 116,286 records (1.2 %)"; without a total: "1,500 records". */
  figures: string;
  /** "elapsed 1 min 05 s". */
  elapsed: string;
  /** "about 2 min left", or '' when it cannot be told. */
  eta: string;
  /** When the figures last moved, and "14:05:07 UTC" (to the second) for pages without a zone format. */
  updatedAt: Date;
  updated: string;
  updatedIso: string;
  /** "No progress for 95 s — the worker may be stuck", or '' while it moves. */
  stalledWarning: string;
}

const PHASE_LABEL: Record<string, string> = {
  waiting: 'Waiting',
  transform: 'Reading the files',
  plan: 'Planning',
  apply: 'Applying',
  complete: 'Complete',
  held: 'Held',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** How counts and sizes are written (runs.labels' formatCount and formatBytes: one style across the run pages). */
export interface NumberFormat {
  count(n: number): string;
  bytes(n: number): string;
}

/** 42 s, 1 min 05 s, 2 h 03 min. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** "about 2 min left": rounded to what a person plans by (never "0 s" while work remains). */
function etaText(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds <= 0) return 'finishing';
  if (seconds < 60) return `about ${Math.max(5, Math.ceil(seconds / 5) * 5)} s left`;
  if (seconds < 3600) return `about ${Math.max(1, Math.round(seconds / 60))} min left`;
  return `about ${formatDuration(seconds)} left`;
}

const pad = (n: number) => String(n).padStart(2, '0');
const clock = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;

/** The progress figures of a run at `now`; `workerActive: false` once the run is no longer being worked on. */
export function progressView(
  p: runsV1.RunProgress,
  fmt: NumberFormat,
  opts: { now?: Date; workerActive?: boolean } = {},
): ProgressView {
  const report = progressReport(
    {
      phase: p.phase,
      unit: p.unit,
      processed: p.processed,
      total: p.total ?? null,
      startedAt: p.startedAt,
      phaseStartedAt: p.phaseStartedAt,
      updatedAt: p.updatedAt,
      heartbeatAt: p.heartbeatAt,
    },
    opts.now ?? new Date(),
    { workerActive: opts.workerActive },
  );
  const amount = report.unit === 'bytes' ? fmt.bytes : fmt.count;
  const noun = report.unit === 'bytes' ? '' : ' records';
  const figures =
    report.total === null
      ? `${amount(report.processed)}${noun}`
      : `${amount(report.processed)} of ${amount(report.total)}${noun} (${report.percent} %)`;
  const updated = new Date(report.updatedAt);
  return {
    report,
    phaseLabel: PHASE_LABEL[report.phase] ?? report.phase,
    figures,
    elapsed: `elapsed ${formatDuration(report.elapsedSeconds)}`,
    eta: etaText(report.etaSeconds),
    updatedAt: updated,
    updated: clock(updated),
    updatedIso: report.updatedAt,
    stalledWarning: report.stalled ? `No progress for ${report.secondsSinceUpdate} s — the worker may be stuck` : '',
  };
}
