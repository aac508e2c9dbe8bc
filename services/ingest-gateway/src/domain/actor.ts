/** Actors: the proto form (RunService requests) and the stored form (jsonb on runs and audit rows). */
import { commonV1 } from '@usersync/contracts';
import { ValidationError } from '@usersync/platform';
import type { StoredActor } from '@usersync/run-state';
import { IngestCodes } from './messages.js';

const KIND_TO_STORED: Partial<Record<commonV1.ActorKind, StoredActor['kind']>> = {
  [commonV1.ActorKind.ACTOR_KIND_ADMIN]: 'admin',
  [commonV1.ActorKind.ACTOR_KIND_API_KEY]: 'api_key',
  [commonV1.ActorKind.ACTOR_KIND_SYSTEM]: 'system',
};
const STORED_TO_KIND: Record<StoredActor['kind'], commonV1.ActorKind> = {
  admin: commonV1.ActorKind.ACTOR_KIND_ADMIN,
  api_key: commonV1.ActorKind.ACTOR_KIND_API_KEY,
  system: commonV1.ActorKind.ACTOR_KIND_SYSTEM,
};

/** usersync itself, e.g. when a new upload supersedes a held run. */
export const SYSTEM_ACTOR: StoredActor = Object.freeze({ kind: 'system', id: '', displayName: 'usersync' });

/** The stored actor of a mutating request; every mutating RPC must say who acts. */
export function requireActor(actor: commonV1.Actor | undefined): StoredActor {
  const kind = actor ? KIND_TO_STORED[actor.kind] : undefined;
  if (!actor || !kind) {
    throw new ValidationError(
      IngestCodes.actorRequired,
      'actor is required: set actor.kind (admin, api key or system)',
    );
  }
  if (kind !== 'system' && actor.id.trim() === '') {
    throw new ValidationError(IngestCodes.actorRequired, 'actor.id is required for an admin or API key actor');
  }
  return { kind, id: actor.id, displayName: actor.displayName };
}

/** The proto form of a stored actor (undefined stays unset). */
export function actorToProto(actor: StoredActor | null | undefined): commonV1.Actor | undefined {
  if (!actor) return undefined;
  return {
    kind: STORED_TO_KIND[actor.kind] ?? commonV1.ActorKind.ACTOR_KIND_UNSPECIFIED,
    id: actor.id,
    displayName: actor.displayName,
  };
}
