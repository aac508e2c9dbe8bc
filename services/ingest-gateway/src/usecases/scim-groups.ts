/**
 * The SCIM Group endpoints' work: groups map to managed directory groups, members are SCIM users
 * (a member that is a group, or an id no user has, is refused with 400 invalidValue).
 */
import type pg from 'pg';
import {
  GROUP_RESOURCE,
  applyPatch,
  badRequest,
  conflict,
  listResponse,
  normalizeResource,
  notFound,
  parseFilter,
  parsePaging,
  parsePatchRequest,
  type ScimResource,
} from '@usersync/scim';
import { scimWrite, lockedCurrent } from './scim-write.js';
import { groupAnswer } from '../domain/scim-answers.js';
import {
  deleteScimGroup,
  getScimGroup,
  insertScimGroup,
  listScimGroups,
  membersOfScimGroups,
  setScimMembers,
  updateScimGroup,
  type ScimGroupRow,
} from '../store/scim-groups.repository.js';
import { existingScimUserIds, type Queryable } from '../store/scim-users.repository.js';
import type { ListQuery, Versioned } from './scim-users.js';

/** The user ids a group's `members` name, checked: every one a SCIM user, none a group. */
async function memberIds(db: Queryable, resource: ScimResource): Promise<string[]> {
  const members = Array.isArray(resource.members) ? resource.members : [];
  const ids: string[] = [];
  for (const [i, m] of members.entries()) {
    const member = m as { value?: string; type?: string };
    if (typeof member.type === 'string' && member.type.toLowerCase() === 'group')
      throw badRequest('invalidValue', `members[${i}]: nested groups are not supported; members must be Users.`);
    if (typeof member.value !== 'string') throw badRequest('invalidValue', `members[${i}].value is required.`);
    ids.push(member.value.toLowerCase());
  }
  const unique = [...new Set(ids)];
  const known = await existingScimUserIds(db, unique);
  const unknown = unique.filter((id) => !known.has(id));
  if (unknown.length)
    throw badRequest(
      'invalidValue',
      `members: no User has the id${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 10).join(', ')}.`,
    );
  return unique;
}

async function answer(db: Queryable, row: ScimGroupRow, baseUrl: string): Promise<Versioned> {
  const members = (await membersOfScimGroups(db, [row.id])).get(row.id) ?? [];
  return { resource: groupAnswer(row, members, baseUrl), version: row.version };
}

const taken = (name: string) => conflict(`A Group named ${JSON.stringify(name)} already exists.`);

export function scimGroups(pool: pg.Pool, maxResults: number) {
  const current = lockedCurrent('Group', (tx, id) => getScimGroup(tx, id, true));
  return {
    async create(body: unknown, baseUrl: string): Promise<Versioned> {
      const resource = normalizeResource(GROUP_RESOURCE, body);
      return scimWrite(pool, taken, async (tx) => {
        const ids = await memberIds(tx, resource);
        const row = await insertScimGroup(tx, resource);
        await setScimMembers(tx, row.id, ids);
        return answer(tx, row, baseUrl);
      });
    },

    async get(id: string, baseUrl: string): Promise<Versioned> {
      const row = await getScimGroup(pool, id);
      if (!row) throw notFound(`No Group has the id ${JSON.stringify(id)}.`);
      return answer(pool, row, baseUrl);
    },

    async list(query: ListQuery, baseUrl: string) {
      const filter = query.filter === undefined ? undefined : parseFilter(GROUP_RESOURCE, query.filter);
      const paging = parsePaging(query.startIndex, query.count, maxResults);
      const { total, rows } = await listScimGroups(pool, filter, paging);
      const members = await membersOfScimGroups(
        pool,
        rows.map((r) => r.id),
      );
      return listResponse(
        total,
        paging,
        rows.map((r) => groupAnswer(r, members.get(r.id) ?? [], baseUrl)),
      );
    },

    async replace(id: string, body: unknown, ifMatch: string | undefined, baseUrl: string): Promise<Versioned> {
      const resource = normalizeResource(GROUP_RESOURCE, body);
      return scimWrite(pool, taken, async (tx) => {
        await current(tx, id, ifMatch);
        const ids = await memberIds(tx, resource);
        const row = await updateScimGroup(tx, id, resource);
        await setScimMembers(tx, id, ids);
        return answer(tx, row, baseUrl);
      });
    },

    async patch(id: string, body: unknown, ifMatch: string | undefined, baseUrl: string): Promise<Versioned> {
      const operations = parsePatchRequest(GROUP_RESOURCE, body);
      return scimWrite(pool, taken, async (tx) => {
        const row = await current(tx, id, ifMatch);
        const members = (await membersOfScimGroups(tx, [id])).get(id) ?? [];
        const before: ScimResource = {
          ...row.resource,
          ...(members.length ? { members: members.map((m) => ({ value: m.value })) } : {}),
        };
        const next = applyPatch(GROUP_RESOURCE, before, operations);
        const ids = await memberIds(tx, next);
        const updated = await updateScimGroup(tx, id, next);
        await setScimMembers(tx, id, ids);
        return answer(tx, updated, baseUrl);
      });
    },

    async remove(id: string, ifMatch: string | undefined): Promise<void> {
      await scimWrite(pool, taken, async (tx) => {
        await current(tx, id, ifMatch);
        await deleteScimGroup(tx, id);
      });
    },
  };
}

export type ScimGroups = ReturnType<typeof scimGroups>;
