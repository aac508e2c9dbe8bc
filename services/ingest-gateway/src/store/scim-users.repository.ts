/**
 * scim."user": the SCIM source's users. Each write also adds a scim.change row in the same transaction,
 * so the run batcher sees every change.
 */
import type pg from 'pg';
import { isUniqueViolation } from '@usersync/platform';
import type { ScimFilter, ScimResource } from '@usersync/scim';
import { compileScimFilter, type ColumnMap } from './scim-filter-sql.js';

export type Queryable = pg.Pool | pg.PoolClient;

export interface ScimUserRow {
  id: string;
  userName: string;
  resource: ScimResource;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The columns filters use instead of paths into `resource` (each holds exactly what the resource says).
 * `active` is not one: the column treats an unassigned active as true, a filter must not.
 */
export const USER_COLUMNS: ColumnMap = {
  id: { sql: 'id::text', kind: 'text' },
  externalId: { sql: 'external_id', kind: 'text' },
  userName: { sql: 'user_name', kind: 'text' },
  displayName: { sql: 'display_name', kind: 'text' },
  'emails.value': { sql: 'email_values', kind: 'text[]' },
  'meta.created': { sql: 'created_at', kind: 'timestamp' },
  'meta.lastModified': { sql: 'updated_at', kind: 'timestamp' },
};

/** A userName (or displayName) is already taken. */
export class ScimConflict extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are uuids; anything else names no resource (and must not reach PostgreSQL as a uuid). */
export const isResourceId = (id: string) => UUID.test(id);

const SELECT = 'SELECT id, user_name, resource, version, created_at, updated_at FROM scim."user"';

interface Row {
  id: string;
  user_name: string;
  resource: ScimResource;
  version: number;
  created_at: Date;
  updated_at: Date;
}
const toRow = (r: Row): ScimUserRow => ({
  id: r.id,
  userName: r.user_name,
  resource: r.resource,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The indexed columns of a canonical resource. */
function columnsOf(resource: ScimResource): unknown[] {
  const emails = Array.isArray(resource.emails) ? resource.emails : [];
  const emailValues = emails
    .map((e) =>
      e && typeof e === 'object' && !Array.isArray(e) && typeof e.value === 'string' ? e.value.toLowerCase() : '',
    )
    .filter(Boolean);
  return [
    resource.userName,
    resource.externalId ?? null,
    resource.displayName ?? null,
    resource.active !== false,
    emailValues,
    JSON.stringify(resource),
  ];
}

/** Records that the SCIM source changed (an insert: concurrent writers never wait on one another). */
export async function bumpScimChange(db: Queryable): Promise<void> {
  await db.query('INSERT INTO scim.change DEFAULT VALUES');
}

export async function insertScimUser(db: Queryable, resource: ScimResource): Promise<ScimUserRow> {
  try {
    const { rows } = await db.query<Row>(
      `INSERT INTO scim."user" (user_name, external_id, display_name, active, email_values, resource)
       VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING id, user_name, resource, version, created_at, updated_at`,
      columnsOf(resource),
    );
    return toRow(rows[0]!);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ScimConflict(String(resource.userName));
    throw err;
  }
}

export async function getScimUser(db: Queryable, id: string, forUpdate = false): Promise<ScimUserRow | undefined> {
  if (!isResourceId(id)) return undefined;
  const { rows } = await db.query<Row>(`${SELECT} WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] && toRow(rows[0]);
}

/** The user a bulk operation is matched to: by externalId when it has one, else by userName. */
export async function matchScimUser(
  db: Queryable,
  externalId: string | undefined,
  userName: string,
): Promise<ScimUserRow | undefined> {
  const { rows } = externalId
    ? await db.query<Row>(`${SELECT} WHERE external_id = $1 ORDER BY created_at LIMIT 1 FOR UPDATE`, [externalId])
    : await db.query<Row>(`${SELECT} WHERE lower(user_name) = lower($1) FOR UPDATE`, [userName]);
  return rows[0] && toRow(rows[0]);
}

/** Replaces the stored resource; the version goes up by one. */
export async function updateScimUser(db: Queryable, id: string, resource: ScimResource): Promise<ScimUserRow> {
  try {
    const { rows } = await db.query<Row>(
      `UPDATE scim."user" SET user_name = $1, external_id = $2, display_name = $3, active = $4, email_values = $5,
              resource = $6, version = version + 1, updated_at = now()
       WHERE id = $7 RETURNING id, user_name, resource, version, created_at, updated_at`,
      [...columnsOf(resource), id],
    );
    return toRow(rows[0]!);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ScimConflict(String(resource.userName));
    throw err;
  }
}

export async function deleteScimUser(db: Queryable, id: string): Promise<boolean> {
  if (!isResourceId(id)) return false;
  const { rowCount } = await db.query('DELETE FROM scim."user" WHERE id = $1', [id]);
  return (rowCount ?? 0) > 0;
}

/** One page of users matching `filter` (all when undefined), oldest first, and how many match in all. */
export async function listScimUsers(
  db: Queryable,
  filter: ScimFilter | undefined,
  paging: { startIndex: number; count: number },
): Promise<{ total: number; rows: ScimUserRow[] }> {
  const where = filter ? compileScimFilter(filter, USER_COLUMNS, 1) : { sql: 'true', params: [] };
  const n = where.params.length;
  const [{ rows: counted }, { rows }] = await Promise.all([
    db.query<{ total: string }>(`SELECT count(*) AS total FROM scim."user" WHERE ${where.sql}`, where.params),
    paging.count === 0
      ? Promise.resolve({ rows: [] as Row[] })
      : db.query<Row>(`${SELECT} WHERE ${where.sql} ORDER BY created_at, id OFFSET $${n + 1} LIMIT $${n + 2}`, [
          ...where.params,
          paging.startIndex - 1,
          paging.count,
        ]),
  ]);
  return { total: Number(counted[0]!.total), rows: rows.map(toRow) };
}

/** The groups each user is a direct member of: user id → [{id, displayName}]. */
export async function groupsOfScimUsers(db: Queryable, userIds: readonly string[]) {
  const out = new Map<string, { id: string; displayName: string }[]>();
  if (userIds.length === 0) return out;
  const { rows } = await db.query<{ user_id: string; id: string; display_name: string }>(
    `SELECT m.user_id, g.id, g.display_name FROM scim.member m JOIN scim."group" g ON g.id = m.group_id
     WHERE m.user_id = ANY($1::uuid[]) ORDER BY g.display_name`,
    [userIds],
  );
  for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), { id: r.id, displayName: r.display_name }]);
  return out;
}

/** Which of `ids` are SCIM users (for group members). */
export async function existingScimUserIds(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  const valid = ids.filter(isResourceId);
  if (valid.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; user_name: string }>(
    'SELECT id, user_name FROM scim."user" WHERE id = ANY($1::uuid[])',
    [valid],
  );
  return new Map(rows.map((r) => [r.id, r.user_name]));
}
