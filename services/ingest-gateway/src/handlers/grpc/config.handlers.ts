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
import { controlFileToProto } from './run-mapper.js';

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
      const [current, wanted] = await withDatabase(async () => {
        const cur = await findCurrentControlFile(pool);
        return [cur, req.digest ? await findControlFileByDigest(pool, req.digest) : cur] as const;
      });
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
        const current = await findCurrentControlFile(pool);
        // One extra row tells whether an older page exists.
        const rows = await listControlFiles(pool, { beforeId: cursor?.key, limit: limit + 1 });
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
          { content: req.content, reason: req.reason, actor },
        );
        if (!result.ok) return { controlFile: undefined, errors: result.errors };
        ctx.log.info(
          { digest: result.controlFile.digest, runId: result.runId, note: result.note },
          'control file uploaded',
        );
        return { controlFile: controlFileToProto(result.controlFile, true), errors: [] };
      },
    ),
  };
}
