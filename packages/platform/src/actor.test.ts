import { describe, expect, it } from 'vitest';
import { commonV1 } from '@usersync/contracts';
import { actorFromProto, actorToProto, type Actor } from './actor.js';

describe('actor proto mapping', () => {
  it('round-trips every kind and rejects UNSPECIFIED', () => {
    for (const kind of ['admin', 'api_key', 'system'] as const) {
      const a: Actor = { kind, id: '7', displayName: 'Ada' };
      expect(actorFromProto(actorToProto(a))).toEqual(a);
    }
    expect(
      actorFromProto({ kind: commonV1.ActorKind.ACTOR_KIND_UNSPECIFIED, id: '', displayName: '' }),
    ).toBeUndefined();
    expect(actorToProto(null)).toBeUndefined();
  });
});
