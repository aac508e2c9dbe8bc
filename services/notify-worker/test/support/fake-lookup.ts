/**
 * A LookupService over real gRPC that knows a few users and their `department` tags, standing in for
 * lookup-service (whose directory schema belongs to apply-worker). It records every query it answers.
 */
import { lookupV1 } from '@usersync/contracts';
import { createGrpcServer, createLogger } from '@usersync/platform';

export interface FakeLookup {
  address: string;
  queries: string[];
  stop(): Promise<void>;
}

/** Serves LookupUser for `departments` (username → department); other users match with no tags. */
export async function startFakeLookup(departments: Record<string, string>): Promise<FakeLookup> {
  const queries: string[] = [];
  const unimplemented = (_call: unknown, cb: (err: Error) => void) =>
    cb(Object.assign(new Error('not in this fake'), { code: 12 }));
  const implementation: lookupV1.LookupServiceServer = {
    lookupUser(call, cb) {
      const query = call.request.query;
      queries.push(query);
      const department = departments[query];
      cb(null, {
        matches: [
          lookupV1.UserDetails.fromPartial({
            username: query,
            active: true,
            tags: department ? { department, building: 'B1' } : { building: 'B1' },
          }),
        ],
      });
    },
    getUserHistory: unimplemented,
    setErrorState: unimplemented,
    searchUsers: unimplemented,
    listRecycleBin: unimplemented,
    restoreUser: unimplemented,
  };
  const server = createGrpcServer({
    port: 0,
    host: '127.0.0.1',
    log: createLogger({ service: 'fake-lookup', level: 'silent' }),
    services: [{ definition: lookupV1.LookupServiceService, implementation, name: 'usersync.lookup.v1.LookupService' }],
  });
  const port = await server.start();
  return { address: `127.0.0.1:${port}`, queries, stop: () => server.stop(1_000) };
}
