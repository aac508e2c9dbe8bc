/**
 * How the upload API checks keys: KeyService.VerifyKey over gRPC (KEY_SERVICE_ADDR), behind the
 * platform's caching verifier; `sync.key.revoked` drops a revoked key from the cache at once.
 */
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { decodeEvent, keysV1 } from '@usersync/contracts';
import {
  RetryableError,
  createGrpcClient,
  createKeyVerifier,
  natsRevocations,
  parseCredentials,
  unary,
} from '@usersync/platform';
import type { ApiAuthOptions } from '../handlers/http/api-auth.hook.js';

export interface KeyAuthOptions {
  address: string;
  nc: NatsConnection;
  cacheTtlMs: number;
  log: Logger;
}

/** Auth options backed by key-service; `close` stops the revocation feed and the channel. */
export function createKeyAuth(opts: KeyAuthOptions): ApiAuthOptions & { close(): void } {
  const client = createGrpcClient(keysV1.KeyServiceClient, opts.address, { deadlineMs: 3_000 });
  const verifier = createKeyVerifier<keysV1.VerifyKeyResponse>({
    cacheTtlMs: opts.cacheTtlMs,
    revocations: natsRevocations(opts.nc, {
      decodeKeyId: (data) => decodeEvent('sync.key.revoked', data).keyId,
      log: opts.log,
    }),
    async verify(secret, scope) {
      try {
        return (await unary(client, 'verifyKey', { secret, requiredScope: scope })) as keysV1.VerifyKeyResponse;
      } catch (err) {
        // key-service down or slow: the caller cannot be told "refused", only "try again" (503).
        throw new RetryableError('KEY_SERVICE_UNAVAILABLE', 'key-service unavailable', { cause: err });
      }
    },
  });
  return {
    readSecret: parseCredentials,
    verify: (secret, scope) => verifier.verify(secret, scope),
    close() {
      verifier.close();
      client.close();
    },
  };
}
