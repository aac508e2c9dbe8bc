/** The actor of a RunService request: platform's one Actor type, required on every mutating RPC. */
import type { commonV1 } from '@usersync/contracts';
import { ValidationError, actorFromProto, type Actor } from '@usersync/platform';
import { IngestCodes } from './messages.js';

export { SYSTEM_ACTOR, actorToProto } from '@usersync/platform';

/** The actor of a mutating request; every mutating RPC must say who acts. */
export function requireActor(actor: commonV1.Actor | undefined): Actor {
  const stored = actorFromProto(actor);
  if (!stored) {
    throw new ValidationError(
      IngestCodes.actorRequired,
      'actor is required: set actor.kind (admin, api key or system)',
    );
  }
  if (stored.kind !== 'system' && stored.id.trim() === '') {
    throw new ValidationError(IngestCodes.actorRequired, 'actor.id is required for an admin or API key actor');
  }
  return stored;
}
