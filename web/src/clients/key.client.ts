/** The portal's KeyService client (house style §9.3): promise-returning calls, AppErrors on failure. */
import type { commonV1 } from '@usersync/contracts';
import { keysV1 } from '@usersync/contracts';
import { actorToProto, adminActor, createGrpcClient, unary, type Actor } from '@usersync/platform';

/** The admin on whose behalf a call is made (its kind is always admin). */
export type AdminActor = Pick<Actor, 'id' | 'displayName'>;

/** What web needs from key-service. */
export interface KeyClient {
  createKey(
    input: { name: string; scopes: string[]; expiresAt?: Date },
    by: AdminActor,
  ): Promise<keysV1.CreateKeyResponse>;
  listKeys(includeRevoked: boolean): Promise<keysV1.ApiKey[]>;
  revokeKey(keyId: string, by: AdminActor): Promise<keysV1.ApiKey | undefined>;
  close(): void;
}

/** The proto actor of an admin. */
export const adminActorProto = (by: AdminActor): commonV1.Actor => actorToProto(adminActor(by));
const actorOf = adminActorProto;

/** Connects (lazily, as grpc-js does) to KeyService at `address`. */
export function createKeyClient(address: string, opts: { deadlineMs?: number } = {}): KeyClient {
  const client = createGrpcClient(keysV1.KeyServiceClient, address, { deadlineMs: opts.deadlineMs ?? 5_000 });
  // Method names are given as type arguments: inference over the generated overloads widens the response type.
  type C = keysV1.KeyServiceClient;
  return {
    createKey: (input, by) =>
      unary<C, 'createKey'>(client, 'createKey', {
        name: input.name,
        scopes: input.scopes,
        expiresAt: input.expiresAt,
        actor: actorOf(by),
      }),
    listKeys: async (includeRevoked) => (await unary<C, 'listKeys'>(client, 'listKeys', { includeRevoked })).keys,
    revokeKey: async (keyId, by) =>
      (await unary<C, 'revokeKey'>(client, 'revokeKey', { keyId, actor: actorOf(by) })).key,
    close: () => client.close(),
  };
}
