/** gRPC `usersync.keys.v1.KeyService`: protobuf in and out, the operations module in between. */
import { keysV1 } from '@usersync/contracts';
import { actorFromProto, actorToProto, unaryHandler } from '@usersync/platform';
import type { RejectReason } from '../domain/api-key.js';
import * as ops from '../usecases/api-key.operations.js';
import type { KeyDeps } from '../usecases/api-key.operations.js';
import type { ApiKeyRecord } from '../store/api-key.repository.js';

const REASONS: Readonly<Record<RejectReason, keysV1.InvalidReason>> = {
  malformed: keysV1.InvalidReason.INVALID_REASON_MALFORMED,
  unknown: keysV1.InvalidReason.INVALID_REASON_UNKNOWN,
  revoked: keysV1.InvalidReason.INVALID_REASON_REVOKED,
  expired: keysV1.InvalidReason.INVALID_REASON_EXPIRED,
  missing_scope: keysV1.InvalidReason.INVALID_REASON_MISSING_SCOPE,
};

// The one actor mapping (platform); re-exported because cli and tests import it from key-service.
export { actorFromProto, actorToProto } from '@usersync/platform';

/** A stored key as a proto ApiKey (metadata only: there is no secret to map). */
export function keyToProto(key: ApiKeyRecord): keysV1.ApiKey {
  return {
    id: key.id,
    name: key.name,
    displayPrefix: key.displayPrefix,
    scopes: [...key.scopes],
    createdBy: actorToProto(key.createdBy),
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt ?? undefined,
    expiresAt: key.expiresAt ?? undefined,
    revokedAt: key.revokedAt ?? undefined,
    revokedBy: key.revokedBy ? actorToProto(key.revokedBy) : undefined,
  };
}

/** The KeyService implementation over `deps`. */
export function createKeyServiceHandlers(deps: KeyDeps): keysV1.KeyServiceServer {
  return {
    createKey: unaryHandler<keysV1.CreateKeyRequest, keysV1.CreateKeyResponse>(async (req, ctx) => {
      const created = await ops.createKey(deps, {
        name: req.name,
        scopes: req.scopes,
        expiresAt: req.expiresAt,
        actor: actorFromProto(req.actor),
      });
      ctx.log.info({ keyId: created.key.id, scopes: created.key.scopes }, 'key created');
      return { key: keyToProto(created.key), secret: created.secret };
    }),
    listKeys: unaryHandler<keysV1.ListKeysRequest, keysV1.ListKeysResponse>(async (req) => {
      const keys = await ops.listKeys(deps, { includeRevoked: req.includeRevoked });
      return { keys: keys.map(keyToProto) };
    }),
    revokeKey: unaryHandler<keysV1.RevokeKeyRequest, keysV1.RevokeKeyResponse>(async (req, ctx) => {
      const outcome = await ops.revokeKey(deps, { keyId: req.keyId, actor: actorFromProto(req.actor) });
      ctx.log.info({ keyId: outcome.key.id, changed: outcome.revoked }, 'key revoked');
      return { key: keyToProto(outcome.key) };
    }),
    verifyKey: unaryHandler<keysV1.VerifyKeyRequest, keysV1.VerifyKeyResponse>(async (req) => {
      const v = await ops.verifyKey(deps, { secret: req.secret, requiredScope: req.requiredScope });
      return {
        valid: v.valid,
        keyId: v.key?.id ?? '',
        name: v.key?.name ?? '',
        scopes: v.key ? [...v.key.scopes] : [],
        reason: v.reason ? REASONS[v.reason] : keysV1.InvalidReason.INVALID_REASON_UNSPECIFIED,
        // Verifier caches end their entry here: a key that expires while cached is refused on time.
        expiresAt: v.key?.expiresAt ?? undefined,
      };
    }),
  };
}
