/**
 * GET /sources: where the directory's users come from, side by side: the file feed (upload scripts) and
 * SCIM provisioning (an identity provider at `<GATEWAY_PUBLIC_URL>/scim/v2`) with its endpoint, keys, last
 * request, last change, changes waiting and runs. SourceService and key-service answer independently: one
 * being down leaves the rest of the page.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { keysV1 } from '@usersync/contracts';
import { createSourceClient } from '../clients/source.client.js';
import { runLabels } from '../viewmodels/runs.labels.js';
import {
  SCIM_SCOPE,
  UPLOAD_SCOPE,
  batchSentence,
  connectionOf,
  endpointWarning,
  keysWithScope,
  runSourceSentence,
  scimEndpoint,
  scimNotes,
  statusText,
} from '../viewmodels/sources.view.js';
import type { RouteContext } from './route-context.js';

/** Latest runs shown per source. */
export const SOURCE_RUNS = 5;

/** Registers the Sources page. */
export function sourcesRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    const sources = createSourceClient(ctx.config.RUN_SERVICE_ADDR, (err) =>
      app.log.debug({ err }, 'source service call failed'),
    );
    app.addHook('onClose', async () => sources.close());

    app.get('/sources', async (request, reply) => {
      const [state, keys] = await Promise.all([
        sources.getSources(SOURCE_RUNS),
        ctx.keys.listKeys(true).then(
          (k): keysV1.ApiKey[] | undefined => k,
          (err: unknown) => {
            request.log.warn({ err }, 'key service unavailable for the sources page');
            return undefined;
          },
        ),
      ]);
      const now = new Date();
      const endpoint = scimEndpoint(ctx.config.GATEWAY_PUBLIC_URL);
      const scimKeys = keys && keysWithScope(keys, SCIM_SCOPE, now);
      const scim = state.available ? state.value.scim : undefined;
      return ctx.views.send(request, reply, 'pages/sources/index', {
        title: 'Sources',
        state,
        file: state.available ? state.value.file : undefined,
        scim,
        endpoint,
        endpointWarning: endpointWarning(endpoint),
        scimKeys,
        uploadKeys: keys && keysWithScope(keys, UPLOAD_SCOPE, now),
        keysById: new Map((keys ?? []).map((k) => [k.id, k])),
        notes: scim ? scimNotes(scim, scimKeys, keys, now) : [],
        connection: scim ? connectionOf(scim) : undefined,
        batchSentence: scim ? batchSentence(scim, ctx.views.h.duration) : '',
        statusText,
        runSourceSentence,
        labels: runLabels,
        now,
      });
    });
  };
}
