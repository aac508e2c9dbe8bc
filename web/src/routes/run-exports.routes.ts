/**
 * CSV downloads of a run's plan (issue 16): `/runs/:id/plan.csv`, optionally `?action=block` (the blocked
 * list for HR). Streamed page by page from RunService, so memory holds one page whatever the plan's size.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { stringify } from 'csv-stringify';
import type { runsV1 } from '@usersync/contracts';
import { PLAN_ACTIONS, planActionLabel } from '../viewmodels/runs.labels.js';
import type { RouteContext } from './route-context.js';
import { runIdOf } from './runs.routes.js';

const EXPORT_PAGE = 1_000;
export const PLAN_CSV_COLUMNS = ['username', 'action', 'name', 'email', 'last_seen_run', 'changed_fields', 'changes'];

/** One CSV row of a plan entry; `changes` is the field-level JSON, as the preview shows it. */
function csvRow(e: runsV1.PlanEntry): string[] {
  return [
    e.username,
    planActionLabel(e.action).toLowerCase(),
    e.displayName,
    e.email,
    e.lastSeenRunId === undefined ? '' : String(e.lastSeenRunId),
    e.changes.map((c) => c.field).join(' '),
    JSON.stringify(
      e.changes.map((c) => ({ field: c.field, before: JSON.parse(c.before), after: JSON.parse(c.after) })),
    ),
  ];
}

export function runExportsRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { id: string }; Querystring: { action?: string } }>(
      '/runs/:id/plan.csv',
      async (request, reply) => {
        const runId = runIdOf(request.params.id);
        const action = PLAN_ACTIONS.find((a) => a.value === request.query.action);
        const page = (pageToken: string) =>
          ctx.runs.getRunPlan({ runId, pageSize: EXPORT_PAGE, pageToken, action: action?.proto });
        // The first page is read before answering: a missing run is a 404 page, not a broken download.
        const first = await page('');
        async function* rows(): AsyncGenerator<string[]> {
          let current = first;
          for (;;) {
            for (const e of current.entries) yield csvRow(e);
            if (!current.nextPageToken) return;
            current = await page(current.nextPageToken);
          }
        }
        const name = `sync-run-${runId}-${action ? `${action.value}s` : 'plan'}.csv`;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(Readable.from(rows()).pipe(stringify({ header: true, columns: PLAN_CSV_COLUMNS })));
      },
    );
  };
}
