/** @usersync/key-service: the service app, and the key operations the CLI shares with it. */
export { createApp, SERVICE, OWNER, KEY_SERVICE_NAME } from './app.js';
export { loadConfig, type Config } from './config.js';
export { MIGRATIONS_DIR, migrateKeysSchema } from './store/schema.js';
export {
  SECRET_PREFIX,
  KNOWN_SCOPES,
  DEFAULT_SCOPES,
  MAX_NAME_LENGTH,
  generateSecret,
  hashSecret,
  displayPrefixOf,
  isWellFormedSecret,
  validateNewKey,
  rejectReason,
  type Scope,
  type RejectReason,
  type NewKeyInput,
  type GeneratedSecret,
} from './domain/api-key.js';
export { CLI_ACTOR, type KeyActor, type ActorKind } from './domain/actor.js';
export {
  createKey,
  listKeys,
  revokeKey,
  verifyKey,
  assertKeyId,
  type KeyDeps,
  type CreatedKey,
  type RevokeOutcome,
  type Verification,
} from './usecases/api-key.operations.js';
export { listKeyAudit, type ApiKeyRecord, type KeyAuditRecord } from './store/api-key.repository.js';
export { createKeyServiceHandlers, keyToProto, actorToProto, actorFromProto } from './handlers/key-service.handlers.js';
