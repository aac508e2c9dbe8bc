/** Who performed a key action, as stored in `created_by`, `revoked_by` and `key_audit.actor`. */
import { ValidationError, type Actor } from '@usersync/platform';

export type { ActorKind } from '@usersync/platform';
/** A stored actor: platform's one Actor type, under the name key-service's importers know. */
export type KeyActor = Actor;

/** The actor of `usersync key …` commands. */
export const CLI_ACTOR: KeyActor = Object.freeze({ kind: 'system', id: 'cli', displayName: 'usersync CLI' });

/** Checks an actor of a mutating call: a kind is required and display names are bounded. */
export function validateActor(actor: KeyActor | undefined, path = 'actor'): KeyActor {
  if (!actor) throw new ValidationError('KEY_ACTOR_REQUIRED', `${path} is required`, [{ path, message: 'required' }]);
  if (actor.kind === 'admin' && actor.id.trim() === '')
    throw new ValidationError('KEY_ACTOR_INVALID', `${path}.id is required for an admin`, [
      { path: `${path}.id`, message: 'required for an admin' },
    ]);
  if (actor.displayName.length > 200 || actor.id.length > 200)
    throw new ValidationError('KEY_ACTOR_INVALID', `${path} fields are longer than 200 characters`, [
      { path, message: 'id and displayName must be at most 200 characters' },
    ]);
  return { kind: actor.kind, id: actor.id, displayName: actor.displayName };
}
