/**
 * The one upload path of a run file, shared by the HTTP upload API and RunService.UploadRunFile:
 * check, stream to S3 while hashing, then record everything in one transaction (Haplo's rules,
 * reference §1.4). A failure leaves no row and no outbox event; an S3 object may stay behind,
 * which is harmless since objects are content-addressed.
 */
import { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import {
  isUniqueViolation,
  type ObjectStore,
  ValidationError,
  withDatabase,
  withTransaction,
} from '@usersync/platform';
import {
  CONTROL_NAME,
  UPLOAD_NAME,
  getRun,
  isHeld,
  isUploadName,
  loadSyncConfig,
  type RunRow,
  type StoredActor,
} from '@usersync/run-state';
import { checkControlFile, type CheckedControlFile } from '../domain/control-file-check.js';
import { HaploMessages, IngestCodes, noControlFileMessage, unknownNameMessage } from '../domain/messages.js';
import { findCurrentControlFile } from '../store/control-files.repository.js';
import { findRunFile, listRunFiles, type RunFileRow } from '../store/run-files.repository.js';
import { findOpenRun } from '../store/runs.repository.js';
import { classifyOpenRun, resolveUploadRun, unexpectedState } from './open-run.js';
import { checkUploadedBundle } from './check-bundle.js';
import { readControlBytes } from './read-limited.js';
import { recordCurrentControlFile, recordRunFile } from './record-run-file.js';

export { CONTROL_NAME, UPLOAD_NAME } from '@usersync/run-state';

export interface UploadDeps {
  pool: Pool;
  objects: ObjectStore;
  /** Largest data file accepted (413 above). */
  maxBytes: number;
  /** Largest control file accepted; it is buffered to be validated. */
  maxControlBytes: number;
  /** Throws a RetryableError when a dependency the run needs (NATS) is down. */
  checkDependencies: () => Promise<void>;
}

export interface UploadInput {
  name: string;
  /** The client's filename; recorded, not used. */
  filename: string;
  content: Readable;
  actor: StoredActor;
}

/** A file stored and checked but not yet recorded: `commit()` records it in its run. */
export interface StagedUpload {
  commit(): Promise<UploadOutcome>;
}

export interface UploadOutcome {
  file: RunFileRow;
  run: RunRow;
  /** An identical file was already in the run: nothing changed. */
  reused: boolean;
}

/** Rejects a bad upload name with Haplo's rule in the message. */
export function assertUploadName(name: string | undefined): asserts name is string {
  if (!name) throw new ValidationError(IngestCodes.noName, 'Missing name: send the file name in the name field.');
  if (!isUploadName(name)) {
    throw new ValidationError(
      IngestCodes.badName,
      `Invalid name ${JSON.stringify(name)}: must match ${UPLOAD_NAME.source}`,
    );
  }
}

/** Builds the uploader over its dependencies. */
export function createRunUploader(deps: UploadDeps) {
  /**
   * Refuses what can be refused before the bytes are read (unknown name, a run that accepts no
   * upload), so a script does not send a gigabyte to get a 400. The transaction re-checks all of it.
   */
  async function precheck(name: string): Promise<void> {
    const { config } = await loadSyncConfig(deps.pool);
    const target = classifyOpenRun(await findOpenRun(deps.pool), config.supersedeHeldRuns);
    if (target.kind === 'refused') {
      // Only an identical re-upload of a file a not-held ready run already has may still succeed.
      if (isHeld(target.run) || !(await findRunFile(deps.pool, target.run.id, name))) throw unexpectedState();
      return;
    }
    if (name === CONTROL_NAME) return;
    const expected =
      target.kind === 'open'
        ? target.run.expectedFiles
        : ((await findCurrentControlFile(deps.pool))?.expectedFiles ?? []);
    if (expected.length === 0) throw new ValidationError(IngestCodes.noControlFile, noControlFileMessage(name));
    if (!expected.includes(name)) {
      throw new ValidationError(IngestCodes.unknownName, unknownNameMessage(name, expected));
    }
  }

  async function record(
    client: PoolClient,
    input: UploadInput,
    stored: { digest: string; size: number },
    control: CheckedControlFile | undefined,
    supersedeHeldRuns: boolean,
  ): Promise<UploadOutcome> {
    const { name, actor } = input;
    const resolved = await resolveUploadRun(client, { supersedeHeldRuns, actor });
    if ('refused' in resolved) {
      const run = resolved.refused;
      const existing = await findRunFile(client, run.id, name);
      // A retried upload of the last file (the run became ready) gets its record back; a held run
      // does not: the next day's files belong in a new run.
      if (existing && existing.digest === stored.digest && run.status === 'ready') {
        return { file: existing, run, reused: true };
      }
      throw unexpectedState();
    }
    const { run } = resolved;
    const existing = await findRunFile(client, run.id, name);
    if (existing && !existing.replaceable) {
      if (existing.digest === stored.digest) return { file: existing, run, reused: true };
      throw new ValidationError(IngestCodes.alreadyUploaded, HaploMessages.alreadyUploaded(name));
    }
    let expected = run.expectedFiles;
    if (control) {
      expected = control.expectedFiles;
      const dropped = (await listRunFiles(client, run.id)).map((f) => f.name).filter((n) => !expected.includes(n));
      if (dropped.length > 0) {
        throw new ValidationError(
          IngestCodes.controlDropsFiles,
          `The control file does not list ${dropped.join(', ')}, already uploaded to this sync run. ` +
            `Expected files: ${expected.join(', ')}. Cancel the run in the admin interface, or upload a control file that lists them.`,
        );
      }
      await recordCurrentControlFile(client, {
        digest: stored.digest,
        size: stored.size,
        filename: input.filename,
        controlFile: control.controlFile,
        expectedFiles: expected,
        actor,
        reason: '',
        via: actor.kind === 'admin' ? 'portal' : 'api',
        runId: run.id,
      });
    } else if (expected.length === 0) {
      throw new ValidationError(IngestCodes.noControlFile, noControlFileMessage(name));
    } else if (!expected.includes(name)) {
      throw new ValidationError(IngestCodes.unknownName, unknownNameMessage(name, expected));
    }
    const { file } = await recordRunFile(
      client,
      { runId: run.id, name, ...stored, filename: input.filename, replaceable: false, actor },
      expected,
    );
    return { file, run: await getRun(client, run.id), reused: false };
  }

  /**
   * Stores and checks one file for the open run without recording it: the HTTP route commits only once the
   * whole multipart request parsed cleanly, so a request refused after its file part records nothing.
   */
  async function stage(input: UploadInput): Promise<StagedUpload> {
    assertUploadName(input.name);
    await deps.checkDependencies();
    await withDatabase(() => precheck(input.name));
    const { config } = await withDatabase(() => loadSyncConfig(deps.pool));
    let control: CheckedControlFile | undefined;
    let stored: { digest: string; size: number };
    if (input.name === CONTROL_NAME) {
      const bytes = await readControlBytes(input.content, deps.maxControlBytes);
      control = checkControlFile(bytes, config);
      stored = await deps.objects.putStream(Readable.from([bytes]));
    } else {
      const checked = await checkUploadedBundle(
        deps,
        input.name,
        await deps.objects.putStream(input.content, { maxBytes: deps.maxBytes }),
      );
      stored = checked;
      // A OneRoster delta is recorded merged onto its base; the filename says so wherever it is shown.
      if (checked.merged)
        input = { ...input, filename: `${input.filename} (delta applied to run ${checked.merged.baseRunId})` };
    }
    const staged = input;
    return {
      async commit() {
        // NATS may have gone while the bytes streamed: check again before anything is recorded.
        await deps.checkDependencies();
        for (let attempt = 0; ; attempt++) {
          try {
            return await withDatabase(() =>
              withTransaction(deps.pool, (client) => record(client, staged, stored, control, config.supersedeHeldRuns)),
            );
          } catch (err) {
            // Two first uploads raced to open a run: the loser retries once and lands in the winner's run.
            if (attempt === 0 && isUniqueViolation(err, 'run_one_open_idx')) continue;
            throw err;
          }
        }
      },
    };
  }

  /** Uploads one file into the open run (creating or superseding as Haplo's rules and the config say). */
  async function upload(input: UploadInput): Promise<UploadOutcome> {
    return (await stage(input)).commit();
  }

  return { upload, stage, precheck };
}

export type RunUploader = ReturnType<typeof createRunUploader>;
