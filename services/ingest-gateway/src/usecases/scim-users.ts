/**
 * The SCIM User endpoints' work (RFC 7644 §3.3–3.6): each write is one transaction that also marks
 * the SCIM source changed, so the next run of the `scim` source carries it to the directory.
 */
import type pg from 'pg';
import { withTransaction } from '@usersync/platform';
import {
  USER_RESOURCE,
  applyPatch,
  checkIfMatch,
  conflict,
  listResponse,
  normalizeResource,
  notFound,
  parseFilter,
  parsePaging,
  parsePatchRequest,
  type ScimResource,
} from '@usersync/scim';
import { userAnswer } from '../domain/scim-answers.js';
import {
  bumpScimChange,
  deleteScimUser,
  getScimUser,
  groupsOfScimUsers,
  insertScimUser,
  listScimUsers,
  updateScimUser,
  ScimConflict,
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

async function writeUser<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  try {
    return await withTransaction(pool, async (tx) => {
      const out = await fn(tx);
      await bumpScimChange(tx);
      return out;
    });
  } catch (err) {
    if (err instanceof ScimConflict) throw taken(err.message);
    throw err;
  }
}

export function scimUsers(pool: pg.Pool, maxResults: number) {
  const current = async (tx: Queryable, id: string, ifMatch: string | undefined) => {
    const row = await getScimUser(tx, id, true);
    if (!row) throw notFound(`No User has the id ${JSON.stringify(id)}.`);
    checkIfMatch(ifMatch, row.version);
    return row;
  };
  return {
    async create(body: unknown, baseUrl: string): Promise<Versioned> {
      const resource = normalizeResource(USER_RESOURCE, body);
      return writeUser(pool, async (tx) => answer(tx, await insertScimUser(tx, resource), baseUrl));
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
      return writeUser(pool, async (tx) => {
        await current(tx, id, ifMatch);
        return answer(tx, await updateScimUser(tx, id, resource), baseUrl);
      });
    },

    async patch(id: string, body: unknown, ifMatch: string | undefined, baseUrl: string): Promise<Versioned> {
      const operations = parsePatchRequest(USER_RESOURCE, body);
      return writeUser(pool, async (tx) => {
        const row = await current(tx, id, ifMatch);
        const next = applyPatch(USER_RESOURCE, row.resource, operations);
        if (JSON.stringify(next) === JSON.stringify(row.resource)) return answer(tx, row, baseUrl); // no change, no new version
        return answer(tx, await updateScimUser(tx, id, next), baseUrl);
      });
    },

    async remove(id: string, ifMatch: string | undefined): Promise<void> {
      await writeUser(pool, async (tx) => {
        await current(tx, id, ifMatch);
        await deleteScimUser(tx, id);
      });
    },
  };
}

export type ScimUsers = ReturnType<typeof scimUsers>;
