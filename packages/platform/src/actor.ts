/**
 * Who performed an action: one type for every schema that records it (runs, keys, admin audit) and
 * its proto mapping, so an actor reads the same in every service.
 */
import { commonV1 } from '@usersync/contracts';

/** The kind of principal behind an action (the proto's ActorKind as readable text in jsonb). */
export type ActorKind = 'admin' | 'api_key' | 'system';

/** An actor as stored (jsonb `{kind, id, displayName}`) and passed between modules. */
export interface Actor {
  kind: ActorKind;
  id: string;
  displayName: string;
}

/** usersync itself, e.g. when a new upload supersedes a held run. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ kind: 'system', id: '', displayName: 'usersync' });

const FROM_PROTO: ReadonlyMap<commonV1.ActorKind, ActorKind> = new Map([
  [commonV1.ActorKind.ACTOR_KIND_ADMIN, 'admin'],
  [commonV1.ActorKind.ACTOR_KIND_API_KEY, 'api_key'],
  [commonV1.ActorKind.ACTOR_KIND_SYSTEM, 'system'],
]);
const TO_PROTO: Readonly<Record<ActorKind, commonV1.ActorKind>> = {
  admin: commonV1.ActorKind.ACTOR_KIND_ADMIN,
  api_key: commonV1.ActorKind.ACTOR_KIND_API_KEY,
  system: commonV1.ActorKind.ACTOR_KIND_SYSTEM,
};

/** The actor of a proto Actor; undefined when absent or of kind UNSPECIFIED (callers reject it). */
export function actorFromProto(actor: commonV1.Actor | undefined): Actor | undefined {
  const kind = actor && FROM_PROTO.get(actor.kind);
  return actor && kind ? { kind, id: actor.id, displayName: actor.displayName } : undefined;
}

/** The proto form of an actor (absent stays unset). */
export function actorToProto(actor: Actor): commonV1.Actor;
export function actorToProto(actor: Actor | null | undefined): commonV1.Actor | undefined;
export function actorToProto(actor: Actor | null | undefined): commonV1.Actor | undefined {
  if (!actor) return undefined;
  return {
    kind: TO_PROTO[actor.kind] ?? commonV1.ActorKind.ACTOR_KIND_UNSPECIFIED,
    id: actor.id,
    displayName: actor.displayName,
  };
}

/** An admin of the portal as an actor. */
export const adminActor = (admin: { id: string; displayName: string }): Actor => ({
  kind: 'admin',
  id: admin.id,
  displayName: admin.displayName,
});
