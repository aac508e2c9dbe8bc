import type { ProfileAttributeType, ProfileSchema } from './profile-schema.js';

/** Every data type a destination name can have in this model. */
export type DataType = ProfileAttributeType;

export interface NameDef {
  name: string;
  type: DataType;
  multivalue: boolean;
  required: boolean;
}

/**
 * How writes behave (reference §2.3): `dictionary` targets replace or append by the name's multivalue
 * flag; `profile` is the object-like target whose every value is a list.
 */
export type DestinationKind = 'dictionary' | 'profile';

export interface Destination {
  name: string;
  kind: DestinationKind;
  pseudo: boolean;
  /** Haplo's `depends`: made ready automatically on first use (only `user:tags` here). */
  dependent: boolean;
  /** Names are free (any string key) rather than declared; `user:tags`. */
  freeNames: boolean;
  names: Map<string, NameDef>;
}

export interface UserSyncModel {
  destinations: Map<string, Destination>;
}

export const USER_SYNC_MODEL_NAME = 'haplo:user-sync';
export const MODEL_ALIASES: readonly string[] = ['haplo:user-sync', 'usersync'];
export const USER = 'user';
export const USER_TAGS = 'user:tags';
export const PROFILE = 'profile';
export const PERSON_NAME_PSEUDO = 'value:person-name';
export const POSTAL_ADDRESS_PSEUDO = 'value:postal-address';

/** `user` names in Haplo's order; `Missing values in user: …` lists them in this order. */
const USER_NAMES: NameDef[] = [
  { name: 'username', type: 'text', multivalue: false, required: true },
  { name: 'title', type: 'text', multivalue: false, required: false },
  { name: 'nameFirst', type: 'text', multivalue: false, required: true },
  { name: 'nameLast', type: 'text', multivalue: false, required: true },
  { name: 'email', type: 'text', multivalue: false, required: true },
  { name: 'groups', type: 'text', multivalue: true, required: false },
];

const textNames = (...names: string[]) =>
  new Map(names.map((name) => [name, { name, type: 'text' as const, multivalue: false, required: false }]));

export function createUserSyncModel(schema: ProfileSchema): UserSyncModel {
  const destinations = new Map<string, Destination>();
  const add = (d: Omit<Destination, 'pseudo' | 'dependent' | 'freeNames'> & Partial<Destination>) =>
    destinations.set(d.name, { pseudo: false, dependent: false, freeNames: false, ...d });
  add({ name: USER, kind: 'dictionary', names: new Map(USER_NAMES.map((n) => [n.name, n])) });
  add({ name: USER_TAGS, kind: 'dictionary', dependent: true, freeNames: true, names: new Map() });
  add({
    name: PROFILE,
    kind: 'profile',
    names: new Map(
      schema.attributes.map((a) => [a.code, { name: a.code, type: a.type, multivalue: a.multivalue, required: false }]),
    ),
  });
  add({
    name: PERSON_NAME_PSEUDO,
    kind: 'dictionary',
    pseudo: true,
    names: textNames('title', 'first', 'middle', 'last', 'suffix'),
  });
  add({
    name: POSTAL_ADDRESS_PSEUDO,
    kind: 'dictionary',
    pseudo: true,
    names: textNames('street1', 'street2', 'city', 'county', 'postcode', 'country'),
  });
  return { destinations };
}

/** The definition of `name` in `dest`, including free `user:tags` names (all text). */
export function lookupName(dest: Destination, name: string): NameDef | undefined {
  if (dest.freeNames) return { name, type: 'text', multivalue: false, required: false };
  return dest.names.get(name);
}

/** The structured type a pseudo-destination assembles. */
export function structuredTypeOf(pseudo: string): DataType | undefined {
  if (pseudo === PERSON_NAME_PSEUDO) return 'person-name';
  if (pseudo === POSTAL_ADDRESS_PSEUDO) return 'postal-address';
  return undefined;
}
