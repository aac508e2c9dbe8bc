/**
 * What a SCIM client gets back for a stored user or group: the canonical resource plus `schemas`, `id`,
 * `meta` (resourceType, created, lastModified, location, version) and the derived member lists.
 */
import { GROUP_RESOURCE, USER_RESOURCE, etagOf, schemasOf, type ScimResource } from '@usersync/scim';

export interface StoredResource {
  id: string;
  resource: ScimResource;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

function meta(kind: 'User' | 'Group', row: StoredResource, baseUrl: string) {
  return {
    resourceType: kind,
    created: row.createdAt.toISOString(),
    lastModified: row.updatedAt.toISOString(),
    location: `${baseUrl}/${kind === 'User' ? 'Users' : 'Groups'}/${row.id}`,
    version: etagOf(row.version),
  };
}

/** A user, with the groups it is a direct member of. */
export function userAnswer(
  row: StoredResource,
  groups: { id: string; displayName: string }[],
  baseUrl: string,
): ScimResource {
  return {
    schemas: schemasOf(USER_RESOURCE, row.resource),
    id: row.id,
    ...row.resource,
    ...(groups.length
      ? {
          groups: groups.map((g) => ({
            value: g.id,
            $ref: `${baseUrl}/Groups/${g.id}`,
            display: g.displayName,
            type: 'direct',
          })),
        }
      : {}),
    meta: meta('User', row, baseUrl),
  };
}

/** A group, with its members (users). */
export function groupAnswer(
  row: StoredResource,
  members: { value: string; display: string }[],
  baseUrl: string,
): ScimResource {
  return {
    schemas: schemasOf(GROUP_RESOURCE, row.resource),
    id: row.id,
    ...row.resource,
    ...(members.length
      ? {
          members: members.map((m) => ({
            value: m.value,
            $ref: `${baseUrl}/Users/${m.value}`,
            display: m.display,
            type: 'User',
          })),
        }
      : {}),
    meta: meta('Group', row, baseUrl),
  };
}
