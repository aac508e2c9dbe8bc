/**
 * `GET …/runs?status=&limit=&before=`: the runs, newest first, for scripts and monitoring (issue 16).
 * Each run has the shape of `GET …/runs/:id` without its files; `next` is the URL of the next page.
 */
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { ValidationError, withDatabase } from '@usersync/platform';
import { RUN_STATUSES, type RunStatus } from '@usersync/run-state';
import { listRuns } from '../../store/runs.repository.js';
import { runListUrl } from './api-urls.js';
import { RUN_LIST_ROUTE } from './api-schemas.js';
import { runJson } from './run-status.routes.js';

/** The statuses a filter may name ('held' included, whichever run-state this is built with). */
export const LISTED_STATUSES: readonly string[] = [...new Set<string>([...RUN_STATUSES, 'held'])];
export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 100;

export interface RunListParams {
  statuses: RunStatus[];
  limit: number;
  before?: number;
}

type QueryValue = string | string[] | undefined;

/** One value of a query parameter; a repeated one is refused (only status may repeat). */
function single(name: string, value: QueryValue): string | undefined {
  if (!Array.isArray(value)) return value;
  throw new ValidationError('RUN_LIST_BAD_QUERY', `Invalid ${name}: give it once.`);
}

/** Reads and checks the query of the runs list; ValidationError (400) names the bad value. */
export function parseRunListQuery(query: Record<string, QueryValue>): RunListParams {
  // status=a,b and status=a&status=b both mean "either".
  const rawStatus = Array.isArray(query.status) ? query.status.join(',') : query.status;
  const statuses: RunStatus[] = [];
  if (rawStatus !== undefined) {
    for (const part of rawStatus.split(',').map((s) => s.trim())) {
      if (!LISTED_STATUSES.includes(part)) {
        throw new ValidationError(
          'RUN_LIST_BAD_STATUS',
          `Invalid status ${JSON.stringify(part)}: expected one or a comma-separated list of ${LISTED_STATUSES.join(', ')}.`,
        );
      }
      if (!statuses.includes(part as RunStatus)) statuses.push(part as RunStatus);
    }
  }
  const rawLimit = single('limit', query.limit);
  let limit = DEFAULT_LIST_LIMIT;
  if (rawLimit !== undefined) {
    limit = /^[0-9]{1,3}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIST_LIMIT)) {
      throw new ValidationError(
        'RUN_LIST_BAD_LIMIT',
        `Invalid limit ${JSON.stringify(rawLimit)}: expected an integer from 1 to ${MAX_LIST_LIMIT}.`,
      );
    }
  }
  const rawBefore = single('before', query.before);
  if (rawBefore !== undefined && !/^[1-9][0-9]{0,17}$/.test(rawBefore)) {
    throw new ValidationError(
      'RUN_LIST_BAD_BEFORE',
      `Invalid before ${JSON.stringify(rawBefore)}: expected a run id (a positive integer).`,
    );
  }
  return { statuses, limit, ...(rawBefore !== undefined ? { before: Number(rawBefore) } : {}) };
}

/** The query of the page after the one that ended with run `lastId`. */
function nextQuery(params: RunListParams, lastId: number): URLSearchParams {
  const next = new URLSearchParams();
  if (params.statuses.length > 0) next.set('status', params.statuses.join(','));
  next.set('limit', String(params.limit));
  next.set('before', String(lastId));
  return next;
}

/** Registers the runs list route in an API scope (auth and plain errors come from the scope). */
export function registerRunListRoutes(app: FastifyInstance, deps: { pool: Pool }): void {
  const prefix = app.prefix;
  app.get('/runs', { schema: RUN_LIST_ROUTE, attachValidation: true }, async (request, reply) => {
    const params = parseRunListQuery(request.query as Record<string, QueryValue>);
    // One more than a page tells whether there is a next one.
    const rows = await withDatabase(() =>
      listRuns(deps.pool, { beforeId: params.before, limit: params.limit + 1, statuses: params.statuses }),
    );
    const runs = rows.slice(0, params.limit);
    const last = runs.at(-1);
    const next = rows.length > params.limit && last ? runListUrl(request, prefix, nextQuery(params, last.id)) : null;
    return reply
      .code(200)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ runs: runs.map(runJson), next }, null, 2));
  });
}
