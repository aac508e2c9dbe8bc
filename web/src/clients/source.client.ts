/** The portal's SourceService client (ingest-gateway, beside RunService): the file feed and the SCIM source. */
import { sourcesV1 } from '@usersync/contracts';
import { createGrpcClient, unary } from '@usersync/platform';
import type { Availability } from './run.client.js';

/** What web needs from SourceService. */
export interface SourceClient {
  /** Both sources with their latest `runsPerSource` runs; unavailable when the gateway does not answer. */
  getSources(runsPerSource: number): Promise<Availability<sourcesV1.GetSourcesResponse>>;
  close(): void;
}

/** Connects (lazily, as grpc-js does) to SourceService at `address` (RUN_SERVICE_ADDR). */
export function createSourceClient(
  address: string,
  onError: (err: unknown) => void,
  opts: { deadlineMs?: number } = {},
): SourceClient {
  const client = createGrpcClient(sourcesV1.SourceServiceClient, address, { deadlineMs: opts.deadlineMs ?? 3_000 });
  type C = sourcesV1.SourceServiceClient;
  return {
    async getSources(runsPerSource) {
      try {
        return { available: true, value: await unary<C, 'getSources'>(client, 'getSources', { runsPerSource }) };
      } catch (err) {
        onError(err);
        const unimplemented = (err as { code?: unknown }).code === 'GRPC_UNIMPLEMENTED';
        return { available: false, reason: unimplemented ? 'unimplemented' : 'unavailable' };
      }
    },
    close: () => client.close(),
  };
}
