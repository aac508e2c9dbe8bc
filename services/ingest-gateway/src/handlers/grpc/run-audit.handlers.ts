/** gRPC `usersync.runs.v1.RunAuditService`: the run audit trail for the portal's audit log. */
import type { Pool } from 'pg';
import { commonV1, runAuditV1 } from '@usersync/contracts';
import { actorToProto, unaryHandler, type GrpcServiceRegistration } from '@usersync/platform';
import { listRunAudit } from '../../store/audit.repository.js';

/** Full proto name of the service (also its health-check key). */
export const RUN_AUDIT_SERVICE_NAME = 'usersync.runs.v1.RunAuditService';

const PAGE = { default: 50, max: 200 };
const KINDS: Readonly<Partial<Record<commonV1.ActorKind, string>>> = {
  [commonV1.ActorKind.ACTOR_KIND_ADMIN]: 'admin',
  [commonV1.ActorKind.ACTOR_KIND_API_KEY]: 'api_key',
  [commonV1.ActorKind.ACTOR_KIND_SYSTEM]: 'system',
};

/** The RunAuditService implementation over the runs schema. */
export function createRunAuditHandlers(deps: { pool: Pool }): runAuditV1.RunAuditServiceServer {
  return {
    listRunAudit: unaryHandler<runAuditV1.ListRunAuditRequest, runAuditV1.ListRunAuditResponse>(async (req) => {
      const rows = await listRunAudit(deps.pool, {
        limit: Math.min(Math.max(req.pageSize || PAGE.default, 1), PAGE.max),
        before: req.beforeAt ? { at: req.beforeAt, id: req.beforeId } : undefined,
        actorKinds: req.actorKinds.map((k) => KINDS[k]).filter((k): k is string => k !== undefined),
        actions: req.actions.map((a) => a.slice(0, 100)).slice(0, 50),
        actorId: req.actorId.slice(0, 100),
      });
      return {
        entries: rows.map((r) => ({
          id: r.id,
          at: r.at,
          actor: actorToProto(r.actor),
          action: r.action,
          runId: r.runId ?? 0,
          detailJson: JSON.stringify(r.detail ?? {}),
        })),
      };
    }),
  };
}

/** The registration for createGrpcServer. */
export function runAuditRegistration(deps: { pool: Pool }): GrpcServiceRegistration {
  return {
    definition: runAuditV1.RunAuditServiceService,
    implementation: createRunAuditHandlers(deps),
    name: RUN_AUDIT_SERVICE_NAME,
  };
}
