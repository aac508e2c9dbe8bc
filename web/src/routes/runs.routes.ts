/**
 * The run page (/runs/:id): details, actions allowed by the status (each behind a confirm page),
 * plan preview, log viewer, files and live progress. Log, plan and progress are also served as
 * htmx fragments from the same partials; the log and files stream through without buffering.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { commonV1, type runsV1 } from '@usersync/contracts';
import { NotFoundError } from '@usersync/platform';
import { availableActions, isFinished, isUploadName } from '@usersync/run-state';
import { isFragmentRequest } from '../htmx.js';
import { listDeliveries } from '@usersync/notify-state';
import { actorOf, type RouteContext } from './route-context.js';
import { runSourceSentence } from '../viewmodels/sources.view.js';
import {
  LOG_LEVELS,
  PLAN_ACTIONS,
  RUN_ACTION_LABEL,
  RUN_ACTIONS,
  countsSentence,
  formatCount,
  hasCounts,
  holdReasonText,
  isPlanPending,
  runLabels,
  runStatusName,
  type RunAction,
} from '../viewmodels/runs.labels.js';

const LOG_PAGE = 200;
const PLAN_PAGE = 50;
// The run page shows the first lines and users only; the log and plan pages have the rest, with filters.
const LOG_PREVIEW = 20;
const PLAN_PREVIEW = 20;
const LOG_DOWNLOAD_PAGE = 10_000;
const ID = /^[1-9][0-9]{0,15}$/;
// Upload names are run-state's rule; the length bound keeps a URL small.
const FILE_NAME_MAX = 200;

type IdParams = { Params: { id: string } };
type LogQuery = { username?: string; level?: string; page?: string };
type PlanQuery = { action?: string; q?: string; page?: string };

/** The run id of a URL, or a 404 for anything that is not one. */
export function runIdOf(raw: string): number {
  if (!ID.test(raw)) throw new NotFoundError('RUN_NOT_FOUND', 'There is no sync run with this id.');
  return Number(raw);
}

const text = (v: unknown, max = 200): string => (typeof v === 'string' ? v.trim().slice(0, max) : '');

/** The Apply form's decision: the whole plan, or a scope (safe actions only, minus users named one a line). */
function applyDecision(body: unknown, reason: string): { scope?: runsV1.ApprovalScope; reason: string } {
  const fields = (body ?? {}) as { part?: unknown; exclude?: unknown };
  const excludedUsernames = (typeof fields.exclude === 'string' ? fields.exclude : '')
    .split(/\r?\n/)
    .map((u) => u.trim())
    .filter((u) => u !== '');
  const safeOnly = fields.part === 'safe';
  if (!safeOnly && excludedUsernames.length === 0) return { reason };
  const A = commonV1.UserAction;
  const actions = [A.USER_ACTION_CREATE, A.USER_ACTION_UPDATE, A.USER_ACTION_REACTIVATE];
  if (!safeOnly) actions.push(A.USER_ACTION_BLOCK);
  return { scope: { actions, excludedUsernames }, reason };
}

/** What an action does, in words, for its confirm page. */
function actionEffect(action: RunAction, run: runsV1.Run): string {
  const n = formatCount(run.id);
  switch (action) {
    case 'apply': {
      const counts = run.planCounts;
      const plan =
        counts && (run.hasPlan || hasCounts(counts))
          ? `It ${countsSentence(counts)} users, exactly as in the plan preview below (${formatCount(counts.unchanged)} unchanged); should the directory change before it runs, it is held again instead.`
          : 'The apply worker plans it and applies it; no plan has been made yet, so the block limits still apply.';
      const hold = holdReasonText(run.holdReason);
      return `Applies sync run ${n} now. ${plan}${hold ? ` This approves the hold: ${hold}` : ''}`;
    }
    case 'reapply':
      return `Creates a new sync run with copies of run ${n}'s ${run.files.length} files (the control file included) and applies it now, restoring the directory to what those files say. You are taken to the new run.`;
    case 'cancel':
      return `Marks sync run ${n} cancelled. Nothing of it is applied, and files uploaded next start a new sync run.`;
    case 'force-cancel':
      return `Marks sync run ${n} cancelled while it is running. The apply worker sees it at its next checkpoint and rolls the whole apply back, so nothing of this run is applied. This is unsafe if the worker has stopped responding: check the progress first.`;
  }
}

/** Registers /runs/:id and its sub-pages. */
export function runsRoutes(ctx: RouteContext): FastifyPluginAsync {
  async function logData(runId: number, q: LogQuery, pageSize = LOG_PAGE) {
    const username = text(q.username, 200);
    const level = LOG_LEVELS.find((l) => l.value === q.level);
    const page = await ctx.runs.getRunLog({
      runId,
      pageSize,
      pageToken: text(q.page, 1000),
      username: username || undefined,
      level: level?.proto,
    });
    return { runId, logFilter: { username, level: level?.value ?? '' }, log: page, levels: LOG_LEVELS };
  }

  async function planData(run: runsV1.Run, q: PlanQuery, pageSize = PLAN_PAGE) {
    const search = text(q.q, 200).toLowerCase();
    const action = PLAN_ACTIONS.find((a) => a.value === q.action);
    // The page links carry q along, so every page of a search is filtered the same way.
    const plan = await ctx.runs.getRunPlan({
      runId: run.id,
      pageSize,
      pageToken: text(q.page, 1000),
      action: action?.proto,
      usernamePrefix: search || undefined,
    });
    return {
      runId: run.id,
      plan,
      planFilter: { action: action?.value ?? '', q: search },
      planActions: PLAN_ACTIONS,
    };
  }

  const hasPlan = (run: runsV1.Run) => run.hasPlan || hasCounts(run.planCounts);

  const send = (request: FastifyRequest, reply: FastifyReply, page: string, partial: string, data: object) =>
    ctx.views.send(request, reply, isFragmentRequest(request, reply) ? partial : page, {
      labels: runLabels,
      ...data,
    });

  return async (app) => {
    app.get<IdParams>('/runs/:id', async (request, reply) => {
      const run = await ctx.runs.getRun(runIdOf(request.params.id));
      const status = runStatusName(run.status);
      const [log, plan] = await Promise.all([
        logData(run.id, {}, LOG_PREVIEW),
        hasPlan(run) ? planData(run, {}, PLAN_PREVIEW) : Promise.resolve(undefined),
      ]);
      return ctx.views.send(request, reply, 'pages/runs/show', {
        title: `Sync run ${run.id}`,
        run,
        sourceSentence: runSourceSentence(run),
        status,
        finished: isFinished(status),
        actions: availableActions(status).map((a) => ({ action: a, label: RUN_ACTION_LABEL[a] })),
        labels: runLabels,
        ...log,
        ...(plan ?? {}),
        hasPlan: plan !== undefined,
        // Report emails and webhooks sent for this run (notify-worker's records, read-only).
        deliveries: await listDeliveries(ctx.pool, run.id),
      });
    });

    app.get<IdParams>('/runs/:id/progress', async (request, reply) => {
      const run = await ctx.runs.getRun(runIdOf(request.params.id));
      const status = runStatusName(run.status);
      if (!isFragmentRequest(request, reply)) return reply.redirect(`/runs/${run.id}`, 303);
      // Once finished, held with its plan, or back to ready, the fragment stops polling; htmx then reloads the
      // page for the final details (or the plan preview).
      const settled = isFinished(status) || status === 'ready' || (status === 'held' && run.hasPlan);
      if (settled) void reply.header('hx-refresh', 'true');
      return ctx.views.send(request, reply, 'partials/runs/progress', { run, status, labels: runLabels });
    });

    app.get<IdParams & { Querystring: LogQuery }>('/runs/:id/log', async (request, reply) => {
      const runId = runIdOf(request.params.id);
      const data = await logData(runId, request.query);
      return send(request, reply, 'pages/runs/log', 'partials/runs/log', {
        title: `Log of sync run ${runId}`,
        ...data,
      });
    });

    app.get<IdParams>('/runs/:id/log.txt', async (request, reply) => {
      const runId = runIdOf(request.params.id);
      const first = await ctx.runs.getRunLog({ runId, pageSize: LOG_DOWNLOAD_PAGE });
      // Page through the log while the browser reads: memory holds one page, whatever the log's size.
      async function* lines(): AsyncGenerator<string> {
        let page = first;
        for (;;) {
          if (page.lines.length) yield page.lines.map((l) => l.text).join('\n') + '\n';
          if (!page.nextPageToken) return;
          page = await ctx.runs.getRunLog({ runId, pageSize: LOG_DOWNLOAD_PAGE, pageToken: page.nextPageToken });
        }
      }
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="sync-run-${runId}-log.txt"`)
        .send(Readable.from(lines()));
    });

    app.get<IdParams & { Querystring: PlanQuery }>('/runs/:id/plan', async (request, reply) => {
      const run = await ctx.runs.getRun(runIdOf(request.params.id));
      const data = await planData(run, request.query);
      return send(request, reply, 'pages/runs/plan', 'partials/runs/plan', {
        title: `Plan of sync run ${run.id}`,
        ...data,
      });
    });

    app.get<{ Params: { id: string; name: string } }>('/runs/:id/files/:name', async (request, reply) => {
      const runId = runIdOf(request.params.id);
      const name = request.params.name;
      if (!isUploadName(name, FILE_NAME_MAX))
        throw new NotFoundError('RUN_FILE_NOT_FOUND', 'This run has no file with this name.');
      const { file, content } = await ctx.runs.downloadRunFile(runId, name);
      const filename = (file.filename || file.name).replace(/[\r\n"\\]/g, '_');
      const ascii = filename.replace(/[^\x20-\x7e]/g, '_');
      return reply
        .type('application/octet-stream')
        .header('content-length', String(file.size))
        .header(
          'content-disposition',
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
        )
        .header('x-content-sha256', file.digest)
        .send(content);
    });

    app.get<{ Params: { id: string; action: string } }>('/runs/:id/actions/:action', async (request, reply) => {
      const run = await ctx.runs.getRun(runIdOf(request.params.id));
      const action = RUN_ACTIONS.find((a) => a === request.params.action);
      if (!action) throw new NotFoundError('RUN_ACTION_NOT_FOUND', 'There is no such action on a sync run.');
      const pending = action === 'apply' && isPlanPending(run);
      const allowed = !pending && (availableActions(runStatusName(run.status)) as RunAction[]).includes(action);
      // Apply approves exactly the stored plan: the confirm page shows it, not a promise of it.
      const preview = allowed && action === 'apply' && hasPlan(run) ? await planData(run, {}) : undefined;
      return ctx.views.send(request, reply, 'pages/runs/confirm', {
        title: `${RUN_ACTION_LABEL[action]}: sync run ${run.id}`,
        run,
        action,
        label: RUN_ACTION_LABEL[action],
        allowed,
        pending,
        // Part of a plan can be applied only when there is a stored plan to take part of: a held run's.
        partialAllowed: allowed && action === 'apply' && runStatusName(run.status) === 'held' && run.hasPlan,
        effect: actionEffect(action, run),
        labels: runLabels,
        ...(preview ?? {}),
        hasPlan: preview !== undefined,
      });
    });

    app.post<{ Params: { id: string; action: string } }>('/runs/:id/actions/:action', async (request, reply) => {
      const runId = runIdOf(request.params.id);
      const action = RUN_ACTIONS.find((a) => a === request.params.action);
      if (!action) throw new NotFoundError('RUN_ACTION_NOT_FOUND', 'There is no such action on a sync run.');
      const admin = request.session!.admin;
      const reason = text((request.body as { reason?: unknown } | undefined)?.reason, 500);
      // RunService checks the status in SQL; a refused action comes back as a conflict error page.
      const result =
        action === 'apply'
          ? await ctx.runs.applyRun(runId, admin, applyDecision(request.body, reason))
          : action === 'reapply'
            ? await ctx.runs.reapplyRun(runId, admin)
            : action === 'cancel'
              ? await ctx.runs.cancelRun(runId, admin, reason)
              : await ctx.runs.forceCancelRun(runId, admin, reason);
      await ctx.audit.write({
        actor: actorOf(request),
        action: `run.${action.replace('-', '_')}`,
        target: `run:${runId}`,
        detail: {
          status: runStatusName(result.status),
          ...(action === 'reapply' ? { newRunId: result.id } : {}),
          ...(reason ? { reason } : {}),
        },
        ip: request.ip,
      });
      return reply.redirect(`/runs/${result.id}`, 303);
    });
  };
}
