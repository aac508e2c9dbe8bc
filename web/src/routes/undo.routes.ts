/**
 * Undo a run (issue 18): the "Undo…" confirm page of a complete run (/runs/:id/undo: what the undo does, users
 * changed later to include, a reason), which opens a held compensating run through RunService.UndoRun, and that
 * run's undo preview (/runs/:id/undo-preview: what it restores, deletes and leaves alone, its plan, the way on to
 * Apply). Nothing changes in the directory until the undo run is applied on the run's own Apply page.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { runsV1 } from '@usersync/contracts';
import { actorOf, type RouteContext } from './route-context.js';
import { runIdOf } from './runs.routes.js';
import { PLAN_ACTIONS, runLabels, runStatusName } from '../viewmodels/runs.labels.js';

type IdParams = { Params: { id: string } };
const PLAN_PREVIEW = 50;
const MAX_INCLUDE_TEXT = 200_000;

/** Usernames of the include field (one a line) and the checked boxes of the preview page, in one list. */
export function includeListOf(body: unknown): string[] {
  const fields = (body ?? {}) as { include?: unknown; includeUser?: unknown };
  const lines = typeof fields.include === 'string' ? fields.include.slice(0, MAX_INCLUDE_TEXT).split(/\r?\n/) : [];
  const boxes = Array.isArray(fields.includeUser) ? fields.includeUser : [fields.includeUser];
  const names = [...lines, ...boxes.filter((b): b is string => typeof b === 'string')];
  return [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
}

/** Whether a run can be undone, and if not why (the gateway checks again in SQL). */
function undoRefusal(run: runsV1.Run): string | undefined {
  const status = runStatusName(run.status);
  if (run.undo) return `Sync run ${run.id} is itself an undo of run ${run.undo.undoOfRunId}: it cannot be undone.`;
  if (status !== 'complete') return `Sync run ${run.id} is ${status}: only a complete run can be undone.`;
  return undefined;
}

/** Registers the undo pages. */
export function undoRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get<IdParams>('/runs/:id/undo', async (request, reply) => {
      const run = await ctx.runs.getRun(runIdOf(request.params.id));
      return ctx.views.send(request, reply, 'pages/undo/confirm', {
        title: `Undo sync run ${run.id}`,
        run,
        refusal: undoRefusal(run),
        labels: runLabels,
      });
    });

    app.post<IdParams>('/runs/:id/undo', async (request, reply) => {
      const runId = runIdOf(request.params.id);
      const body = (request.body ?? {}) as { reason?: unknown };
      const reason = typeof body.reason === 'string' ? body.reason.trim().slice(0, 500) : '';
      const includeUsernames = includeListOf(request.body);
      // RunService checks the run and the open run in SQL; a refusal comes back as a conflict error page.
      const undo = await ctx.runs.undoRun(runId, request.session!.admin, { includeUsernames, reason });
      await ctx.audit.write({
        actor: actorOf(request),
        action: 'run.undo',
        target: `run:${runId}`,
        detail: { undoRunId: undo.id, included: includeUsernames.length, ...(reason ? { reason } : {}) },
        ip: request.ip,
      });
      return reply.redirect(`/runs/${undo.id}/undo-preview`, 303);
    });

    app.get<IdParams>('/runs/:id/undo-preview', async (request, reply) => {
      const run = await ctx.runs.getRun(runIdOf(request.params.id));
      if (!run.undo) return reply.redirect(`/runs/${run.id}`, 303);
      const status = runStatusName(run.status);
      const plan = run.hasPlan ? await ctx.runs.getRunPlan({ runId: run.id, pageSize: PLAN_PREVIEW }) : undefined;
      return ctx.views.send(request, reply, 'pages/undo/preview', {
        title: `Undo of sync run ${run.undo.undoOfRunId}: run ${run.id}`,
        run,
        undo: run.undo,
        status,
        planned: run.hasPlan,
        // Apply, Cancel: the run page's own actions, behind their confirm pages.
        canApply: status === 'held' && run.hasPlan,
        canCancel: status === 'held',
        labels: runLabels,
        ...(plan
          ? { runId: run.id, plan, planFilter: { action: '', q: '' }, planActions: PLAN_ACTIONS, hasPlan: true }
          : { hasPlan: false }),
      });
    });
  };
}
