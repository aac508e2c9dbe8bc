/**
 * The SCIM User endpoints' work (RFC 7644 §3.3–3.6): each write is one transaction that also marks
 * the SCIM source changed, so the next run of the `scim` source carries it to the directory.
 */
import type pg from 'pg';
import {
  USER_RESOURCE,
  applyPatch,
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
import { userAnswer } from '../domain/scim-answers.js';
import {
  deleteScimUser,
  getScimUser,
  groupsOfScimUsers,
  insertScimUser,
  listScimUsers,
  updateScimUser,
  type Queryable,
  type ScimUserRow,
} from '../store/scim-users.repository.js';

/** An answer and the version its ETag shows. */
export interface Versioned {
  resource: ScimResource;
  version: number;
}

export interface ListQuery {
  filter?: string;
  startIndex?: string;
  count?: string;
}

const taken = (userName: unknown) => conflict(`userName ${JSON.stringify(userName)} is already taken.`);

async function answer(db: Queryable, row: ScimUserRow, baseUrl: string): Promise<Versioned> {
  const groups = (await groupsOfScimUsers(db, [row.id])).get(row.id) ?? [];
  return { resource: userAnswer(row, groups, baseUrl), version: row.version };
}

export function scimUsers(pool: pg.Pool, maxResults: number) {
  const current = lockedCurrent('User', (tx, id) => getScimUser(tx, id, true));
  return {
    async create(body: unknown, baseUrl: string): Promise<Versioned> {
      const resource = normalizeResource(USER_RESOURCE, body);
      return scimWrite(pool, taken, async (tx) => answer(tx, await insertScimUser(tx, resource), baseUrl));
    },

    async get(id: string, baseUrl: string): Promise<Versioned> {
      const row = await getScimUser(pool, id);
      if (!row) throw notFound(`No User has the id ${JSON.stringify(id)}.`);
      return answer(pool, row, baseUrl);
    },

    async list(query: ListQuery, baseUrl: string) {
      const filter = query.filter === undefined ? undefined : parseFilter(USER_RESOURCE, query.filter);
      const paging = parsePaging(query.startIndex, query.count, maxResults);
      const { total, rows } = await listScimUsers(pool, filter, paging);
      const groups = await groupsOfScimUsers(
        pool,
        rows.map((r) => r.id),
      );
      return listResponse(
        total,
        paging,
        rows.map((r) => userAnswer(r, groups.get(r.id) ?? [], baseUrl)),
      );
    },

    async replace(id: string, body: unknown, ifMatch: string | undefined, baseUrl: string): Promise<Versioned> {
      const resource = normalizeResource(USER_RESOURCE, body);
      return scimWrite(pool, taken, async (tx) => {
        await current(tx, id, ifMatch);
        return answer(tx, await updateScimUser(tx, id, resource), baseUrl);
      });
    },

    async patch(id: string, body: unknown, ifMatch: string | undefined, baseUrl: string): Promise<Versioned> {
      const operations = parsePatchRequest(USER_RESOURCE, body);
      return scimWrite(pool, taken, async (tx) => {
        const row = await current(tx, id, ifMatch);
        const next = applyPatch(USER_RESOURCE, row.resource, operations);
        if (JSON.stringify(next) === JSON.stringify(row.resource)) return answer(tx, row, baseUrl); // no change, no new version
        return answer(tx, await updateScimUser(tx, id, next), baseUrl);
      });
    },

    async remove(id: string, ifMatch: string | undefined): Promise<void> {
      await scimWrite(pool, taken, async (tx) => {
        await current(tx, id, ifMatch);
        await deleteScimUser(tx, id);
      });
    },
  };
}

export type ScimUsers = ReturnType<typeof scimUsers>;
