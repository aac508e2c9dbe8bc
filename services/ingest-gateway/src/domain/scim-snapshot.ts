/**
 * What a run of the `scim` source carries: a snapshot of the SCIM source's active users as one JSON data
 * file (`users`), and a built-in control file that maps it like any feed. The directory then follows the
 * SCIM source through the same planner, holds, log and history as a file feed: a user deactivated or
 * deleted through SCIM is absent from the snapshot, so the run blocks it and the block limits count it.
 *
 * A snapshot record is flat and complete, so the built-in control file stays the plain field mapping below
 * (an admin's SCIM control file may map more from the record's `resource`):
 * the directory requires a first name, a last name and an email; SCIM requires only userName, so the
 * names fall back to displayName's words and then to userName, and the email to the primary (else work,
 * else first) address, else userName when it is an address. A user with no email at all reaches the run
 * without one, and the run's log names it ("Missing values in user: email").
 */
import type { ScimResource } from '@usersync/scim';

/** The directory group code of a SCIM group: its id, so a rename keeps every membership. */
export const scimGroupCode = (groupId: string) => `scim:${groupId}`;

/** The data file's logical name in a SCIM run. */
export const SCIM_USERS_FILE = 'users';

/** The built-in control file of every SCIM run (stored with the run as `_control`, like an uploaded one). */
export const SCIM_CONTROL_FILE = {
  dataImportControlFileVersion: 0,
  model: 'haplo:user-sync',
  files: { [SCIM_USERS_FILE]: { read: 'json' } },
  instructions: [
    { source: 'userName', destination: 'user', name: 'username' },
    { source: 'title', destination: 'user', name: 'title' },
    { source: 'nameFirst', destination: 'user', name: 'nameFirst' },
    { source: 'nameLast', destination: 'user', name: 'nameLast' },
    { source: 'email', destination: 'user', name: 'email' },
    {
      action: 'for-each',
      source: 'groups',
      wrapValues: true,
      instructions: [{ source: 'value', destination: 'user', name: 'groups', multivalue: true }],
    },
    { source: 'scimId', destination: 'user:tags', name: 'scimId' },
    { source: 'externalId', destination: 'user:tags', name: 'externalId' },
  ],
} as const;

/** The control file's bytes: one fixed text, so every SCIM run names the same `_control` digest. */
export const SCIM_CONTROL_BYTES = Buffer.from(`${JSON.stringify(SCIM_CONTROL_FILE, null, 2)}\n`);

/** One record of the snapshot. */
export interface SnapshotRecord {
  userName: string;
  nameFirst: string;
  nameLast: string;
  email?: string;
  title?: string;
  groups: string[];
  scimId: string;
  externalId?: string;
  /**
   * The whole SCIM resource as stored (core attributes, the enterprise extension, Entra's csv extension with
   * every column as text), for a SCIM control file that maps custom attributes (`within` "resource").
   */
  resource: ScimResource;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The address the directory gets: primary, else type work, else the first; else userName when it is one. */
export function chooseEmail(resource: ScimResource, userName: string): string | undefined {
  const emails = (Array.isArray(resource.emails) ? resource.emails : []) as Array<Record<string, unknown>>;
  const valued = emails.filter((e) => e && text(e.value) !== undefined);
  const pick =
    valued.find((e) => e.primary === true) ??
    valued.find((e) => typeof e.type === 'string' && e.type.toLowerCase() === 'work') ??
    valued[0];
  if (pick) return text(pick.value);
  return /^[^@\s]+@[^@\s]+$/.test(userName) ? userName : undefined;
}

/** The snapshot record of a SCIM user, with the directory codes of the groups it is a member of. */
export function snapshotRecord(
  user: { id: string; userName: string; externalId: string | null; resource: ScimResource },
  groupIds: readonly string[],
): SnapshotRecord {
  const r = user.resource;
  const name = (r.name && typeof r.name === 'object' ? r.name : {}) as Record<string, unknown>;
  const words = (text(r.displayName) ?? text(name.formatted) ?? '').split(/\s+/).filter(Boolean);
  const first = text(name.givenName) ?? (words.length > 1 ? words.slice(0, -1).join(' ') : words[0]);
  const last = text(name.familyName) ?? (words.length > 1 ? words[words.length - 1] : undefined);
  const record: SnapshotRecord = {
    userName: user.userName,
    nameFirst: first ?? user.userName,
    nameLast: last ?? user.userName,
    groups: groupIds.map(scimGroupCode).sort(),
    scimId: user.id,
    resource: r,
  };
  const email = chooseEmail(r, user.userName);
  if (email !== undefined) record.email = email;
  const title = text(name.honorificPrefix);
  if (title !== undefined) record.title = title;
  if (user.externalId) record.externalId = user.externalId;
  return record;
}
