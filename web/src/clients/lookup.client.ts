/** The portal's LookupService client (house style §9.3): promise-returning calls, AppErrors on failure. */
import { lookupV1 } from '@usersync/contracts';
import { createGrpcClient, unary } from '@usersync/platform';
import { adminActorProto, type AdminActor } from './key.client.js';

/** What web needs from lookup-service. */
export interface LookupClient {
  /** Users matching a username or email; empty when none. */
  lookupUser(query: string): Promise<lookupV1.UserDetails[]>;
  /** One page of a user's history (newest first); error runs come with the first page. */
  getUserHistory(username: string, pageSize: number, pageToken?: string): Promise<lookupV1.GetUserHistoryResponse>;
  /** One page of users whose username, email or name starts with `query`, by username. */
  searchUsers(query: string, pageSize: number, pageToken?: string): Promise<lookupV1.SearchUsersResponse>;
  /** Flags the user so the next run re-applies them; returns the user as now stored. */
  setErrorState(username: string, by: AdminActor): Promise<lookupV1.UserDetails | undefined>;
  /** One page of the recycle bin (users a sync blocked), soonest due first, filtered by username prefix. */
  listRecycleBin(query: string, pageSize: number, pageToken?: string): Promise<lookupV1.ListRecycleBinResponse>;
  /** Restores a user from the recycle bin; returns the user as now stored. NotFoundError when not in the bin. */
  restoreUser(username: string, by: AdminActor): Promise<lookupV1.UserDetails | undefined>;
  close(): void;
}

/** Connects (lazily, as grpc-js does) to LookupService at `address`; a short deadline since pages wait on it. */
export function createLookupClient(address: string, opts: { deadlineMs?: number } = {}): LookupClient {
  const client = createGrpcClient(lookupV1.LookupServiceClient, address, { deadlineMs: opts.deadlineMs ?? 3_000 });
  // Method names are given as type arguments: inference over the generated overloads widens the response type.
  type C = lookupV1.LookupServiceClient;
  return {
    lookupUser: async (query) => (await unary<C, 'lookupUser'>(client, 'lookupUser', { query })).matches,
    searchUsers: (query, pageSize, pageToken = '') =>
      unary<C, 'searchUsers'>(client, 'searchUsers', { query, pageSize, pageToken }),
    getUserHistory: (username, pageSize, pageToken = '') =>
      unary<C, 'getUserHistory'>(client, 'getUserHistory', { username, pageSize, pageToken }),
    setErrorState: async (username, by) =>
      (
        await unary<C, 'setErrorState'>(client, 'setErrorState', {
          username,
          actor: adminActorProto(by),
        })
      ).user,
    listRecycleBin: (query, pageSize, pageToken = '') =>
      unary<C, 'listRecycleBin'>(client, 'listRecycleBin', { query, pageSize, pageToken }),
    restoreUser: async (username, by) =>
      (await unary<C, 'restoreUser'>(client, 'restoreUser', { username, actor: adminActorProto(by) })).user,
    close: () => client.close(),
  };
}
