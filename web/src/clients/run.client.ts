/**
 * The portal's RunService client, used read-only by the dashboard for now. RunService is served by
 * ingest-gateway; until it answers, the dashboard shows the section as unavailable instead of failing.
 */
import { runsV1 } from '@usersync/contracts';
import { createGrpcClient, unary } from '@usersync/platform';

/** A result that may be missing because the peer is down or does not implement the call yet. */
export type Availability<T> =
  { available: true; value: T } | { available: false; reason: 'unimplemented' | 'unavailable' };

/** What web needs from RunService so far. */
export interface RunClient {
  listRuns(pageSize: number, pageToken?: string): Promise<Availability<runsV1.ListRunsResponse>>;
  getConfig(): Promise<Availability<runsV1.GetConfigResponse>>;
  close(): void;
}

/** UNIMPLEMENTED comes back as an internal AppError whose code names the status. */
function unavailable(err: unknown): { available: false; reason: 'unimplemented' | 'unavailable' } {
  const code = (err as { code?: unknown }).code;
  return { available: false, reason: code === 'GRPC_UNIMPLEMENTED' ? 'unimplemented' : 'unavailable' };
}

async function attempt<T>(call: () => Promise<T>, onError: (err: unknown) => void): Promise<Availability<T>> {
  try {
    return { available: true, value: await call() };
  } catch (err) {
    onError(err);
    return unavailable(err);
  }
}

/** Connects (lazily) to RunService at `address`; calls get a short deadline since pages wait on them. */
export function createRunClient(address: string, onError: (err: unknown) => void): RunClient {
  const client = createGrpcClient(runsV1.RunServiceClient, address, { deadlineMs: 2_000 });
  // Method names are given as type arguments: inference over the generated overloads widens the response type.
  type C = runsV1.RunServiceClient;
  return {
    listRuns: (pageSize, pageToken = '') =>
      attempt(() => unary<C, 'listRuns'>(client, 'listRuns', { pageSize, pageToken }), onError),
    getConfig: () => attempt(() => unary<C, 'getConfig'>(client, 'getConfig', {}), onError),
    close: () => client.close(),
  };
}
