/** RunService configuration and control-file RPCs. */
import type { Pool } from 'pg';
import type { runsV1 } from '@usersync/contracts';
import { NotFoundError, type ObjectStore, unaryHandler, withDatabase, withTransaction } from '@usersync/platform';
import { configFromProto, configToProto, loadSyncConfig, lockSyncConfig, saveSyncConfig } from '@usersync/run-state';
import { actorToProto, requireActor } from '../../domain/actor.js';
import { IngestCodes } from '../../domain/messages.js';
import { recordAudit } from '../../store/audit.repository.js';
import {
  findControlFileByDigest,
  findCurrentControlFile,
  listControlFiles,
} from '../../store/control-files.repository.js';
import { uploadPortalControlFile } from '../../usecases/control-file-upload.js';
import { decodePageToken, encodePageToken, pageSize } from './page-token.js';
import { builtInScimControlFile, controlFileToProto, isBuiltInScimDigest } from './run-mapper.js';
import { sourceOrFile } from './source-field.js';

export interface ConfigDeps {
  pool: Pool;
  objects: ObjectStore;
}

async function readText(objects: ObjectStore, digest: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await objects.get(digest)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Handlers of the configuration and control-file RPCs. */
export function createConfigHandlers({ pool, objects }: ConfigDeps) {
  return {
    getConfig: unaryHandler<runsV1.GetConfigRequest, runsV1.GetConfigResponse>(() =>
      withDatabase(async () => {
        const stored = await loadSyncConfig(pool);
        return {
          config: configToProto(stored.config),
          updatedAt: stored.updatedAt ?? undefined,
          updatedBy: actorToProto(stored.updatedBy),
        };
      }),
    ),

    updateConfig: unaryHandler<runsV1.UpdateConfigRequest, runsV1.UpdateConfigResponse>(async (req) => {
      const actor = requireActor(req.actor);
      const config = configFromProto(req.config);
      await withDatabase(() =>
        withTransaction(pool, async (client) => {
          await lockSyncConfig(client);
          const before = (await loadSyncConfig(client)).config;
          await saveSyncConfig(client, config, actor);
          await recordAudit(client, { runId: null, action: 'update_config', actor, detail: { before, after: config } });
        }),
      );
      return { config: configToProto(config) };
    }),

    getControlFile: unaryHandler<runsV1.GetControlFileRequest, runsV1.GetControlFileResponse>(async (req) => {
      const source = sourceOrFile(req.source);
      const [current, wanted] = await withDatabase(async () => {
        if (!req.digest) {
          const cur = await findCurrentControlFile(pool, source);
          return [cur, cur] as const;
        }
        const byDigest = await findControlFileByDigest(pool, req.digest);
        return [byDigest && (await findCurrentControlFile(pool, byDigest.source)), byDigest] as const;
      });
      // The SCIM source without a control file of its own maps with the built-in one, which is shown as such.
      if (!wanted && !req.digest && source === 'scim') return builtInScimControlFile(true);
      if (!wanted && req.digest && isBuiltInScimDigest(req.digest)) {
        const scimCurrent = await withDatabase(() => findCurrentControlFile(pool, 'scim'));
        return builtInScimControlFile(!scimCurrent);
      }
      if (!wanted) {
        throw new NotFoundError(
          IngestCodes.controlFileNotFound,
          req.digest ? `No control file has digest ${req.digest}` : 'No control file has been uploaded yet',
        );
      }
      return {
        controlFile: controlFileToProto(wanted, wanted.id === current?.id),
        content: await readText(objects, wanted.digest),
      };
    }),

    listControlFiles: unaryHandler<runsV1.ListControlFilesRequest, runsV1.ListControlFilesResponse>((req) =>
      withDatabase(async () => {
        const limit = pageSize(req.pageSize, 20, 100);
        const cursor = decodePageToken<number>(req.pageToken, 'number');
        const source = sourceOrFile(req.source);
        const current = await findCurrentControlFile(pool, source);
        // One extra row tells whether an older page exists.
        const rows = await listControlFiles(pool, { beforeId: cursor?.key, limit: limit + 1, source });
        const page = rows.slice(0, limit);
        return {
          controlFiles: page.map((cf) => controlFileToProto(cf, cf.id === current?.id)),
          nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1]!.id, 'next') : '',
        };
      }),
    ),

    uploadControlFile: unaryHandler<runsV1.UploadControlFileRequest, runsV1.UploadControlFileResponse>(
      async (req, ctx) => {
        const actor = requireActor(req.actor);
        const result = await uploadPortalControlFile(
          { pool, objects },
          { content: req.content, reason: req.reason, actor, source: sourceOrFile(req.source) },
        );
        if (!result.ok) return { controlFile: undefined, errors: result.errors };
        ctx.log.info(
          {
            digest: result.controlFile.digest,
            source: result.controlFile.source,
            runId: result.runId,
            note: result.note,
          },
          'control file uploaded',
        );
        return { controlFile: controlFileToProto(result.controlFile, true), errors: [] };
      },
    ),
  };
}
