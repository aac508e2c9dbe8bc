/** GET /: the admin home, with sections for user lookup, sync runs, configuration and API keys. */
import type { FastifyPluginAsync } from 'fastify';
import { runsV1 } from '@usersync/contracts';
import type { RouteContext } from './route-context.js';
import { runLabels } from '../viewmodels/runs.labels.js';

/** Human label of a run status: RUN_STATUS_COMPLETE → complete. */
export function runStatusLabel(status: runsV1.RunStatus): string {
  return runsV1
    .runStatusToJSON(status)
    .replace(/^RUN_STATUS_/, '')
    .toLowerCase();
}

/** Registers the dashboard. */
export function dashboardRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { page?: string } }>('/', async (request, reply) => {
      const page = typeof request.query.page === 'string' ? request.query.page.slice(0, 1000) : '';
      // The three peers answer independently; one being down must not take the page down.
      const [runs, config, keys] = await Promise.all([
        ctx.runs.listRuns(10, page),
        ctx.runs.getConfig(),
        ctx.keys.listKeys(false).then(
          (k) => ({ available: true as const, value: k }),
          (err: unknown) => {
            request.log.warn({ err }, 'key service unavailable for the dashboard');
            return { available: false as const };
          },
        ),
      ]);
      return ctx.views.send(request, reply, 'pages/dashboard', {
        title: 'User sync administration',
        runs,
        config,
        keys,
        runStatusLabel,
        labels: runLabels,
      });
    });
  };
}
