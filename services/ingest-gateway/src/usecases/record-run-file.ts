/**
 * Recording a file in a run, shared by every upload path (upload API, RunService.UploadRunFile, the
 * portal's control file): the run_file row, its audit row, and the ready check — so a run becomes
 * ready, and is audited, the same way whoever completes it.
 */
import type { PoolClient } from 'pg';
import { transitionRun, type RunSource, type StoredActor } from '@usersync/run-state';
import type { ControlFile } from '@usersync/control-file';
import { recordAudit } from '../store/audit.repository.js';
import { insertControlFile, type ControlFileRow } from '../store/control-files.repository.js';
import { listRunFiles, putRunFile, type RunFileRow } from '../store/run-files.repository.js';
import { setExpectedFiles } from '../store/runs.repository.js';

/** A file stored in the object store, to be recorded under `name`. */
export interface FileToRecord {
  runId: number;
  name: string;
  digest: string;
  size: number;
  filename: string;
  /** Whether a later upload under the same name may replace it (an inherited or portal control file). */
  replaceable: boolean;
  actor: StoredActor;
}

/** True when a run holds exactly the files it expects (Haplo: names equal the control file's + `_control`). */
export function hasExactlyExpected(names: readonly string[], expected: readonly string[]): boolean {
  const x = [...names].sort();
  const y = [...expected].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Records the file, audits `upload_file`, and marks the run ready (audited `mark_ready`) when its files
 * now equal `expected`. Returns the file and the run's file names.
 */
export async function recordRunFile(
  client: PoolClient,
  f: FileToRecord,
  expected: readonly string[],
): Promise<{ file: RunFileRow; names: string[]; ready: boolean }> {
  const file = await putRunFile(client, {
    runId: f.runId,
    name: f.name,
    digest: f.digest,
    size: f.size,
    filename: f.filename,
    replaceable: f.replaceable,
    uploadedBy: f.actor,
  });
  await recordAudit(client, {
    runId: f.runId,
    action: 'upload_file',
    actor: f.actor,
    detail: { name: f.name, digest: f.digest, size: f.size, filename: f.filename },
  });
  const names = (await listRunFiles(client, f.runId)).map((r) => r.name).sort();
  const ready = hasExactlyExpected(names, expected);
  if (ready) {
    await transitionRun(client, f.runId, 'markReady');
    await recordAudit(client, { runId: f.runId, action: 'mark_ready', actor: f.actor, detail: { files: names } });
  }
  return { file, names, ready };
}

/** A validated control file becoming current (the history row) with who uploaded it, how and why. */
export async function recordCurrentControlFile(
  client: PoolClient,
  input: {
    digest: string;
    size: number;
    filename: string;
    controlFile: ControlFile;
    expectedFiles: string[];
    actor: StoredActor;
    reason: string;
    via: 'api' | 'portal';
    /** The open run that takes this control file's expected names, if any. */
    runId?: number;
    /** Whose control file it is (default the file feed's). */
    source?: RunSource;
  },
): Promise<ControlFileRow> {
  const row = await insertControlFile(client, {
    digest: input.digest,
    size: input.size,
    filename: input.filename,
    expectedFiles: input.expectedFiles,
    hasUsernameRule: input.controlFile.hasUsernameRule,
    uploadedBy: input.actor,
    reason: input.reason,
    via: input.via,
    source: input.source ?? 'file',
  });
  if (input.runId !== undefined) await setExpectedFiles(client, input.runId, input.expectedFiles);
  return row;
}
