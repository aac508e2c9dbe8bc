/**
 * The sync configuration form (GetConfig / UpdateConfig). RunService validates the whole
 * configuration; its per-field messages are shown next to the fields, with the admin's values kept.
 * Managed groups and profile attributes are edited as lines; a server message about the n-th group or
 * attribute names the form line it came from.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { runsV1 } from '@usersync/contracts';
import { RetryableError, ValidationError } from '@usersync/platform';
import { actorOf, type RouteContext } from './route-context.js';

/**
 * The form as posted (and as re-shown after an error), derived from the proto SyncConfig (run-state
 * owns its meaning): switches stay booleans, everything else is edited as text. Profile attributes are
 * one a line, `code | Label | type`, with `| multivalue` for several values; empty = default schema.
 */
export type ConfigForm = {
  [K in keyof runsV1.SyncConfig]-?: runsV1.SyncConfig[K] extends boolean ? boolean : string;
};

type FieldErrors = Partial<Record<keyof ConfigForm, string[]>>;

const str = (v: unknown, max = 10_000): string => (typeof v === 'string' ? v.slice(0, max) : '');
const checked = (v: unknown): boolean => v === 'on' || v === 'true' || v === '1';

/** The stored configuration as form values. */
export function configToForm(c: runsV1.SyncConfig): ConfigForm {
  return {
    autoApply: c.autoApply,
    updateAll: c.updateAll,
    reportEmails: c.reportEmails.join(', '),
    reportEndpoint: c.reportEndpoint,
    maxBlockPercent: c.maxBlockPercent === undefined ? '' : String(c.maxBlockPercent),
    maxBlockCount: c.maxBlockCount === undefined ? '' : String(c.maxBlockCount),
    supersedeHeldRuns: c.supersedeHeldRuns,
    blockInvalidRecords: c.blockInvalidRecords,
    managedGroups: c.managedGroups.map((g) => `${g.code}: ${g.name}`).join('\n'),
    profileAttributes: c.profileAttributes
      .map((a) => [a.code, a.label, a.type, ...(a.multivalue ? ['multivalue'] : [])].join(' | '))
      .join('\n'),
  };
}

/** For each group or attribute the form produced, the form line (1-based) it was written on. */
export interface FormLines {
  managedGroups: number[];
  profileAttributes: number[];
}

const ATTRIBUTE_FORMAT = 'write the attribute as "code | Label | type", with "| multivalue" for several values.';

/** Parses the form; what cannot even be read (not a number, a group line without a name) is a field error here. */
export function formToConfig(f: ConfigForm): { config: runsV1.SyncConfig; errors: FieldErrors; lines: FormLines } {
  const errors: FieldErrors = {};
  const fail = (field: keyof ConfigForm, message: string) => (errors[field] ??= []).push(message);
  const number = (field: 'maxBlockPercent' | 'maxBlockCount', label: string): number | undefined => {
    const raw = f[field].trim();
    if (raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n)) fail(field, `${label} must be a number, or empty for no limit.`);
    return n;
  };
  const maxBlockPercent = number('maxBlockPercent', 'Maximum block percentage');
  const maxBlockCount = number('maxBlockCount', 'Maximum block count');
  const lines: FormLines = { managedGroups: [], profileAttributes: [] };
  const managedGroups: runsV1.ManagedGroup[] = [];
  f.managedGroups.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const at = line.indexOf(':');
    if (at < 0) return fail('managedGroups', `Line ${i + 1}: write the group as "code: Name".`);
    managedGroups.push({ code: line.slice(0, at).trim(), name: line.slice(at + 1).trim() });
    lines.managedGroups.push(i + 1);
  });
  const profileAttributes: runsV1.ProfileAttributeDefinition[] = [];
  f.profileAttributes.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const [code = '', label = '', type = '', flag, ...rest] = line.split('|').map((part) => part.trim());
    if (type === '' || rest.length > 0 || (flag !== undefined && flag !== 'multivalue' && flag !== '')) {
      return fail('profileAttributes', `Line ${i + 1}: ${ATTRIBUTE_FORMAT}`);
    }
    profileAttributes.push({ code, label, type, multivalue: flag === 'multivalue' });
    lines.profileAttributes.push(i + 1);
  });
  return {
    errors,
    lines,
    config: {
      autoApply: f.autoApply,
      updateAll: f.updateAll,
      reportEmails: f.reportEmails
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== ''),
      reportEndpoint: f.reportEndpoint.trim(),
      maxBlockPercent: Number.isFinite(maxBlockPercent) ? maxBlockPercent : undefined,
      maxBlockCount: Number.isFinite(maxBlockCount) ? maxBlockCount : undefined,
      supersedeHeldRuns: f.supersedeHeldRuns,
      blockInvalidRecords: f.blockInvalidRecords,
      managedGroups,
      profileAttributes,
    },
  };
}

/** RunService's detail path (report_emails[2], managed_groups[0].code) → the form field it belongs to. */
const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
function fieldOfPath(path: string, form: ConfigForm): keyof ConfigForm | undefined {
  const head = /^[a-z_]+/.exec(path)?.[0];
  return (Object.keys(form) as Array<keyof ConfigForm>).find((f) => snake(f) === head);
}

function serverErrors(
  err: ValidationError,
  lines: FormLines,
  form: ConfigForm,
): { fields: FieldErrors; other: string[] } {
  const fields: FieldErrors = {};
  const other: string[] = [];
  for (const d of err.details as Array<{ path?: unknown; message?: unknown }>) {
    const path = String(d.path ?? '');
    let message = String(d.message ?? '');
    const field = fieldOfPath(path, form);
    // managed_groups[2].code → the line the third group was written on.
    const item = /^(managed_groups|profile_attributes)\[(\d+)\]/.exec(path);
    if (item) {
      const line = (item[1] === 'managed_groups' ? lines.managedGroups : lines.profileAttributes)[Number(item[2])];
      if (line !== undefined) message = `Line ${line}: ${message}`;
    }
    if (field) (fields[field] ??= []).push(message);
    else other.push(message);
  }
  if (err.details.length === 0) other.push(err.message);
  return { fields, other };
}

/** Registers /config. */
export function configRoutes(ctx: RouteContext): FastifyPluginAsync {
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
      return ctx.views.send(request, reply, 'pages/config/edit', {
        title: 'Edit configuration',
        form: configToForm(res.value.config!),
        errors: {},
        other: [],
        saved: request.query.saved === '1',
        updatedAt: res.value.updatedAt,
        updatedBy: res.value.updatedBy,
      });
    });

    app.post<{ Body: Record<string, unknown> }>('/config', async (request, reply) => {
      const b = request.body ?? {};
      const form: ConfigForm = {
        autoApply: checked(b.autoApply),
        updateAll: checked(b.updateAll),
        reportEmails: str(b.reportEmails),
        reportEndpoint: str(b.reportEndpoint, 2000),
        maxBlockPercent: str(b.maxBlockPercent, 50),
        maxBlockCount: str(b.maxBlockCount, 50),
        supersedeHeldRuns: checked(b.supersedeHeldRuns),
        blockInvalidRecords: checked(b.blockInvalidRecords),
        managedGroups: str(b.managedGroups, 50_000),
        profileAttributes: str(b.profileAttributes, 50_000),
      };
      const res = await ctx.runs.getConfig();
      const before = res.available ? res.value : undefined;
      if (!before?.config) throw new RetryableError('RUN_SERVICE_UNAVAILABLE', 'The run service is not answering.');
      const { config, errors, lines } = formToConfig(form);
      const again = (fields: FieldErrors, other: string[]) =>
        ctx.views.send(
          request,
          reply,
          'pages/config/edit',
          { title: 'Edit configuration', form, errors: fields, other },
          400,
        );
      if (Object.keys(errors).length > 0) return again(errors, []);
      const saved = await ctx.runs.updateConfig(config, request.session!.admin).catch((err: unknown) => {
        if (err instanceof ValidationError) return err;
        throw err;
      });
      if (saved instanceof ValidationError) {
        const e = serverErrors(saved, lines, form);
        return again(e.fields, e.other);
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
