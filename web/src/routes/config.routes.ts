/**
 * The sync configuration form (GetConfig / UpdateConfig). Every field is checked in one pass before
 * anything is saved (config-form.ts: parsing plus run-state's rules, the ones RunService applies), so
 * the admin sees all problems at once; RunService still validates the save and its messages land on
 * the same fields. A form posted after the session expired comes back filled in (form-stash).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { RetryableError, ValidationError } from '@usersync/platform';
import { errorSummary, hasErrors, type FieldErrors } from '../security/form-errors.js';
import { restoreForm } from '../security/form-stash.js';
import {
  CONFIG_FIELDS,
  checkConfigForm,
  configToForm,
  readConfigForm,
  serverErrors,
  type ConfigForm,
} from './config-form.js';
import { actorOf, type RouteContext } from './route-context.js';

export { configToForm, formToConfig, type ConfigForm } from './config-form.js';

const FIELD_ORDER = CONFIG_FIELDS.map((f) => f.name);
/** Fieldsets in page order, each with its fields. */
const FIELDSETS = [...new Set(CONFIG_FIELDS.map((f) => f.legend))].map((legend) => ({
  legend,
  fields: CONFIG_FIELDS.filter((f) => f.legend === legend),
}));

/** Registers /config. */
export function configRoutes(ctx: RouteContext): FastifyPluginAsync {
  function page(
    request: FastifyRequest,
    reply: FastifyReply,
    form: ConfigForm,
    extra: { errors?: FieldErrors; other?: string[]; [k: string]: unknown },
    status = 200,
  ) {
    const errors = extra.errors ?? {};
    return ctx.views.send(
      request,
      reply,
      'pages/config/edit',
      {
        title: 'Edit configuration',
        fieldsets: FIELDSETS,
        form,
        ...extra,
        errors,
        summary: errorSummary(FIELD_ORDER, errors, extra.other ?? []),
      },
      status,
    );
  }

  return async (app) => {
    app.get<{ Querystring: { saved?: string } }>('/config', async (request, reply) => {
      const res = await ctx.runs.getConfig();
      if (!res.available) {
        return ctx.views.send(
          request,
          reply,
          'pages/error',
          {
            title: 'Configuration unavailable',
            message: 'The run service is not answering, so the configuration cannot be edited right now.',
          },
          503,
        );
      }
      const restored = await restoreForm(ctx.pool, request, reply, '/config');
      const form = restored ? readConfigForm(restored) : configToForm(res.value.config!);
      return page(request, reply, form, {
        restored: restored !== undefined,
        saved: request.query.saved === '1',
        updatedAt: res.value.updatedAt,
        updatedBy: res.value.updatedBy,
      });
    });

    app.post<{ Body: Record<string, unknown> }>('/config', async (request, reply) => {
      const form = readConfigForm(request.body ?? {});
      const res = await ctx.runs.getConfig();
      const before = res.available ? res.value : undefined;
      if (!before?.config) throw new RetryableError('RUN_SERVICE_UNAVAILABLE', 'The run service is not answering.');
      const { config, errors, other, lines } = checkConfigForm(form);
      if (hasErrors(errors) || other.length > 0) return page(request, reply, form, { errors, other }, 400);
      const saved = await ctx.runs.updateConfig(config, request.session!.admin).catch((err: unknown) => {
        if (err instanceof ValidationError) return err;
        throw err;
      });
      if (saved instanceof ValidationError) {
        const e = serverErrors(saved, lines, form);
        return page(request, reply, form, { errors: e.fields, other: e.other }, 400);
      }
      await ctx.audit.write({
        actor: actorOf(request),
        action: 'config.updated',
        target: 'sync_config',
        detail: { before: before.config, after: saved },
        ip: request.ip,
      });
      return reply.redirect('/config?saved=1', 303);
    });
  };
}
