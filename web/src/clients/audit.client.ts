/** The portal's RunAuditService client (ingest-gateway, beside RunService): the runs schema's audit trail. */
import { runAuditV1 } from '@usersync/contracts';
import { createGrpcClient, unary } from '@usersync/platform';

/** What web needs from the run audit trail. */
export interface RunAuditClient {
  listRunAudit(req: Partial<runAuditV1.ListRunAuditRequest>): Promise<runAuditV1.RunAuditEntry[]>;
  close(): void;
}

/** Connects (lazily, as grpc-js does) to RunAuditService at `address` (RUN_SERVICE_ADDR). */
export function createRunAuditClient(address: string, opts: { deadlineMs?: number } = {}): RunAuditClient {
  const client = createGrpcClient(runAuditV1.RunAuditServiceClient, address, { deadlineMs: opts.deadlineMs ?? 3_000 });
  type C = runAuditV1.RunAuditServiceClient;
  return {
    listRunAudit: async (req) =>
      (
        await unary<C, 'listRunAudit'>(client, 'listRunAudit', {
          pageSize: req.pageSize ?? 0,
          beforeAt: req.beforeAt,
          beforeId: req.beforeId ?? 0,
          actorKinds: req.actorKinds ?? [],
          actions: req.actions ?? [],
          actorId: req.actorId ?? '',
        })
      ).entries,
    close: () => client.close(),
  };
}
