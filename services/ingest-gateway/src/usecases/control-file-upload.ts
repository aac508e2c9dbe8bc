/**
 * The portal's "Upload new control file" (reference §4): validated, recorded in the history with a
 * reason, made current, and put into the open run as `_control` — without Haplo's run-state check,
 * but within our one-open-run rule: a ready or running run keeps its control file, and the new one
 * is used from the next run.
 */
import { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import { type ObjectStore, ValidationError, withDatabase, withTransaction } from '@usersync/platform';
import { expectedFiles, parseControlFile, type ControlFile } from '@usersync/control-file';
import { CONTROL_NAME, loadSyncConfig, type RunSource, type StoredActor } from '@usersync/run-state';
import { configuredProfileSchema } from '../domain/control-file-check.js';
import { IngestCodes } from '../domain/messages.js';
import { recordAudit } from '../store/audit.repository.js';
import type { ControlFileRow } from '../store/control-files.repository.js';
import { lockOpenRun } from '../store/runs.repository.js';
import { bumpScimChange } from '../store/scim-users.repository.js';
import { SCIM_USERS_FILE } from '../domain/scim-snapshot.js';
import { createInheritingRun } from './open-run.js';
import { recordCurrentControlFile, recordRunFile } from './record-run-file.js';

export type ControlFileUploadResult =
  | { ok: true; controlFile: ControlFileRow; runId: number | null; note: string }
  | { ok: false; errors: Array<{ path: string; message: string }> };

/** Validates and stores a control file from the portal. */
export async function uploadPortalControlFile(
  deps: { pool: Pool; objects: ObjectStore },
  input: { content: string; reason: string; actor: StoredActor; filename?: string; source?: RunSource },
): Promise<ControlFileUploadResult> {
  const reason = input.reason.trim();
  if (!reason)
    throw new ValidationError(IngestCodes.reasonRequired, 'reason is required: say why the control file changes');
  const { config } = await withDatabase(() => loadSyncConfig(deps.pool));
  const parsed = parseControlFile(input.content, {
    requireUsernameRule: true,
    profileSchema: configuredProfileSchema(config),
  });
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map((e) => ({ path: e.path, message: e.message })) };
  const expected = expectedFiles(parsed.controlFile);
  const bytes = Buffer.from(input.content, 'utf8');
  if (input.source === 'scim') {
    const wrong = scimShapeError(parsed.controlFile.json);
    if (wrong) return { ok: false, errors: [wrong] };
  }
  const stored = await deps.objects.putStream(Readable.from([bytes]));
  if (input.source === 'scim') {
    const file = { digest: stored.digest, size: stored.size, filename: input.filename ?? 'scim-control.json' };
    return withDatabase(() => withTransaction(deps.pool, (c) => recordScimControlFile(c, file, parsed, input, reason)));
  }
  return withDatabase(() =>
    withTransaction(deps.pool, async (client) => {
      const open = await lockOpenRun(client);
      const controlFile = await recordCurrentControlFile(client, {
        digest: stored.digest,
        size: stored.size,
        filename: input.filename ?? '_control.json',
        controlFile: parsed.controlFile,
        expectedFiles: expected,
        actor: input.actor,
        reason,
        via: 'portal',
        runId: open?.status === 'uploading' ? open.id : undefined,
      });
      let runId: number | null = null;
      let note: string;
      if (!open) {
        runId = (await createInheritingRun(client)).id;
        note = `The control file is current and was put into the new run ${runId}.`;
      } else if (open.status === 'uploading') {
        runId = open.id;
        // Replaceable like an inherited one: the next scripted `_control` upload may still replace it.
        const { names } = await recordRunFile(
          client,
          {
            runId,
            name: CONTROL_NAME,
            digest: stored.digest,
            size: stored.size,
            filename: controlFile.filename,
            replaceable: true,
            actor: input.actor,
          },
          expected,
        );
        const extra = names.filter((n) => !expected.includes(n));
        note = extra.length
          ? `The control file is current and was put into run ${runId}, which also holds ${extra.join(', ')} that it does not list: cancel that run if it should not be applied.`
          : `The control file is current and was put into run ${runId}.`;
      } else {
        note = `The control file is current; run ${open.id} is ${open.status} and keeps its control file, so the new one is used from the next run.`;
      }
      await recordAudit(client, {
        runId,
        action: 'upload_control_file',
        actor: input.actor,
        detail: { digest: stored.digest, reason, note },
      });
      return { ok: true as const, controlFile, runId, note };
    }),
  );
}

/** The SCIM source's control file reads the batcher's snapshot: exactly one file, `users`, with `json`. */
function scimShapeError(json: unknown): { path: string; message: string } | undefined {
  const files = (json as { files?: Record<string, { read?: unknown }> }).files ?? {};
  const names = Object.keys(files);
  if (names.length === 1 && names[0] === SCIM_USERS_FILE && files[SCIM_USERS_FILE]?.read === 'json') return undefined;
  return {
    path: 'files',
    message: `A SCIM source control file reads one file, "${SCIM_USERS_FILE}", with the json reader (the SCIM batcher's snapshot of every active SCIM user), not ${JSON.stringify(names)}`,
  };
}

/** Makes the SCIM source's control file current and marks the source changed, so the next window re-maps every user. */
async function recordScimControlFile(
  client: PoolClient,
  file: { digest: string; size: number; filename: string },
  parsed: { controlFile: ControlFile },
  input: { actor: StoredActor },
  reason: string,
): Promise<ControlFileUploadResult> {
  const controlFile = await recordCurrentControlFile(client, {
    ...file,
    controlFile: parsed.controlFile,
    expectedFiles: [SCIM_USERS_FILE],
    actor: input.actor,
    reason,
    via: 'portal',
    source: 'scim',
  });
  await bumpScimChange(client);
  const note =
    'The SCIM source control file is current: the next SCIM run (within the batch window) maps every SCIM user with it.';
  await recordAudit(client, {
    runId: null,
    action: 'upload_control_file',
    actor: input.actor,
    detail: { digest: file.digest, reason, note, source: 'scim' },
  });
  return { ok: true, controlFile, runId: null, note };
}
