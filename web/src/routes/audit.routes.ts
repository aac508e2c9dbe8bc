/**
 * GET /audit: one audit log, newest first, 50 per page ("Older entries" appends the next page with
 * htmx, or opens it without JavaScript): the portal's own entries (admin.audit) merged with the runs
 * schema's trail of scripts and usersync itself (uploads, start-sync, holds, supersedes), read
 * through RunAuditService. Filters by action and by person (an admin, an API key, usersync);
 * sign-ins and sign-outs are left out unless asked for. Admin actions on runs are recorded in both
 * places, so the runs trail contributes only API-key and system entries.
 */
import type { FastifyPluginAsync } from 'fastify';
import { commonV1, type runAuditV1 } from '@usersync/contracts';
import { actorFromProto, errorEdges } from '@usersync/platform';
import { createRunAuditClient } from '../clients/audit.client.js';
import { isFragmentRequest } from '../htmx.js';
import type { AuditActor } from '../store/audit.repository.js';
import {
  ACTION_LABELS,
  SIGN_IN_ACTIONS,
  adminItem,
  compareItems,
  cursorOf,
  parseCursor,
  runItem,
  type AuditItem,
} from './audit-view.js';
import type { RouteContext } from './route-context.js';

const PAGE_SIZE = 50;
/** The action filter's choices; a runs-trail action that reads like a portal one says whose it is. */
const ACTION_OPTIONS: Array<[string, string]> = Object.entries(ACTION_LABELS).map(([value, label], _i, all) => [
  value,
  !value.includes('.') && value !== 'logout' && all.some(([v, l]) => l === label && v !== value)
    ? `${label} (by scripts or usersync)`
    : label,
]);
const PERSON = /^(admin|api_key):([0-9a-f-]{36})$|^system$/;
const RUN_KINDS: Readonly<Record<string, commonV1.ActorKind>> = {
  admin: commonV1.ActorKind.ACTOR_KIND_ADMIN,
  api_key: commonV1.ActorKind.ACTOR_KIND_API_KEY,
  system: commonV1.ActorKind.ACTOR_KIND_SYSTEM,
};

interface AuditQuery {
  action?: string;
  person?: string;
  signins?: string;
  before?: string;
}

function detailOf(json: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Registers the audit page. */
export function auditRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    const runAudit = createRunAuditClient(ctx.config.RUN_SERVICE_ADDR);
    app.addHook('onClose', async () => runAudit.close());

    /** The runs trail's page: undefined when RunAuditService is not answering (the page says so). */
    async function runEntries(
      filter: { action: string; kind?: string; id?: string },
      before: { at: Date; id: number } | undefined,
    ): Promise<AuditItem[] | undefined> {
      const req: Partial<runAuditV1.ListRunAuditRequest> = {
        pageSize: PAGE_SIZE + 1,
        beforeAt: before?.at,
        beforeId: before?.id,
        actions: filter.action ? [filter.action] : [],
        actorKinds: filter.kind
          ? [RUN_KINDS[filter.kind]!]
          : [commonV1.ActorKind.ACTOR_KIND_API_KEY, commonV1.ActorKind.ACTOR_KIND_SYSTEM],
        actorId: filter.id ?? '',
      };
      try {
        const entries = await runAudit.listRunAudit(req);
        return entries.map((e) =>
          runItem({
            id: e.id,
            at: e.at ?? new Date(0),
            actor: (actorFromProto(e.actor) ?? { kind: 'system', id: '', displayName: '' }) as AuditActor,
            action: e.action,
            runId: e.runId,
            detail: detailOf(e.detailJson),
          }),
        );
      } catch (err) {
        if (errorEdges(err).http !== 503 && (err as { code?: unknown }).code !== 'GRPC_UNIMPLEMENTED') throw err;
        return undefined;
      }
    }

    /** Whom the person filter offers: admins seen in the log, API keys, usersync itself. */
    async function people(): Promise<Array<[string, string]>> {
      const admins = (await ctx.audit.actors()).map((a): [string, string] => [
        `admin:${a.id}`,
        `${a.displayName} (admin)`,
      ]);
      const keys = await ctx.keys.listKeys(true).catch(() => []);
      const scripts = keys.map((k): [string, string] => [`api_key:${k.id}`, `${k.name} (API key)`]);
      return [...admins, ...scripts, ['system', 'usersync itself']];
    }

    app.get<{ Querystring: AuditQuery }>('/audit', async (request, reply) => {
      const q = request.query;
      const action = typeof q.action === 'string' && q.action in ACTION_LABELS ? q.action : '';
      const person = typeof q.person === 'string' && PERSON.test(q.person) ? q.person : '';
      const [kind, id] = person === 'system' ? ['system', ''] : person ? person.split(':') : [];
      const signins = q.signins === '1' || SIGN_IN_ACTIONS.includes(action);
      const cursor = parseCursor(typeof q.before === 'string' ? q.before : undefined);

      const admin = await ctx.audit.list({
        limit: PAGE_SIZE,
        before: cursor?.admin,
        actions: action ? [action] : [],
        excludeLike: signins ? [] : ['login.%', 'logout'],
        actor: kind ? { kind, id: id ?? '' } : undefined,
      });
      // Admin entries on runs are the portal's own; sign-ins exist only there.
      const skipRuns = kind === 'admin' || SIGN_IN_ACTIONS.includes(action) || action.includes('.');
      const runs = skipRuns ? [] : await runEntries({ action, kind, id: id || undefined }, cursor?.run);
      const merged = [...admin.entries.map(adminItem), ...(runs ?? [])].sort(compareItems);
      const entries = merged.slice(0, PAGE_SIZE);
      const filters = new URLSearchParams({
        ...(action && { action }),
        ...(person && { person }),
        ...(q.signins === '1' && { signins: '1' }),
      });
      const olderUrl =
        merged.length > PAGE_SIZE || admin.hasMore
          ? `/audit?${new URLSearchParams([...filters, ['before', cursorOf(entries.at(-1)!)]]).toString()}`
          : undefined;
      const data = {
        title: 'Audit log',
        entries,
        olderUrl,
        paged: cursor !== undefined,
        newestUrl: `/audit${filters.size ? `?${filters.toString()}` : ''}`,
        runsUnavailable: runs === undefined,
        filter: { action, person, signins: q.signins === '1' },
        actions: ACTION_OPTIONS,
        people: isFragmentRequest(request, reply) ? [] : await people(),
      };
      const template = isFragmentRequest(request, reply) ? 'partials/audit/rows' : 'pages/audit/index';
      return ctx.views.send(request, reply, template, data);
    });
  };
}
