/**
 * GET /: the admin home. It leads with "Needs you" (held runs, failures, staleness), then the sync
 * runs and their 30-day history chart, then user lookup, configuration and API keys.
 */
import type { FastifyPluginAsync } from 'fastify';
import { runsV1 } from '@usersync/contracts';
import type { RouteContext } from './route-context.js';
import { runLabels } from '../viewmodels/runs.labels.js';
import { buildNeedsYou } from '../viewmodels/needs-you.js';
import { buildRunHistoryChart, OUTCOMES } from '../viewmodels/run-history-chart.js';

/** Days in the run history chart. */
const HISTORY_DAYS = 30;

/** The runs list's source filter: '' (every source), 'file' or 'scim'; anything else is every source. */
export const RUN_SOURCE_FILTERS: ReadonlyArray<readonly [string, string]> = [
  ['', 'Every source'],
  ['file', 'File feed'],
  ['scim', 'SCIM'],
];
const sourceOf = (v: unknown): string =>
  typeof v === 'string' && RUN_SOURCE_FILTERS.some(([s]) => s !== '' && s === v) ? v : '';

/** Human label of a run status: RUN_STATUS_COMPLETE → complete. */
export function runStatusLabel(status: runsV1.RunStatus): string {
  return runsV1
    .runStatusToJSON(status)
    .replace(/^RUN_STATUS_/, '')
    .toLowerCase();
}

/** Registers the dashboard. */
export function dashboardRoutes(ctx: RouteContext): FastifyPluginAsync {
  const t = ctx.views.h;
  return async (app) => {
    app.get<{ Querystring: { page?: string; source?: string } }>('/', async (request, reply) => {
      const page = typeof request.query.page === 'string' ? request.query.page.slice(0, 1000) : '';
      const source = sourceOf(request.query.source);
      // The peers answer independently; one being down must not take the page down.
      const [runs, config, keys, attention, history] = await Promise.all([
        ctx.runs.listRuns(10, page, source),
        ctx.runs.getConfig(),
        ctx.keys.listKeys(false).then(
          (k) => ({ available: true as const, value: k }),
          (err: unknown) => {
            request.log.warn({ err }, 'key service unavailable for the dashboard');
            return { available: false as const };
          },
        ),
        ctx.runs.getRunAttention(),
        ctx.runs.getRunHistory(HISTORY_DAYS, t.zone),
      ]);
      return ctx.views.send(request, reply, 'pages/dashboard', {
        title: 'User sync administration',
        runs,
        source,
        sourceFilters: RUN_SOURCE_FILTERS,
        // Paging keeps the source filter.
        pageBase: source ? `/?source=${source}&page=` : '/?page=',
        config,
        keys,
        needsYou: attention.available ? buildNeedsYou(attention.value, t) : undefined,
        chart: history.available ? buildRunHistoryChart(history.value.days, t) : undefined,
        outcomes: OUTCOMES,
        runStatusLabel,
        labels: runLabels,
      });
    });
  };
}
