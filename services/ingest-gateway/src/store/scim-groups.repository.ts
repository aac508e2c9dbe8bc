/**
 * scim."group" and scim.member: the SCIM source's groups (each becomes a managed directory group) and
 * their user members. Writes add a scim.change row like user writes (scim-users.repository).
 */
import type { ResolvedPath, ScimFilter, ScimResource } from '@usersync/scim';
import { isUniqueViolation } from '@usersync/platform';
import { compileScimFilter, type ColumnMap } from './scim-filter-sql.js';
import { isResourceId, ScimConflict, type Queryable } from './scim-users.repository.js';

export interface ScimGroupRow {
  id: string;
  displayName: string;
  resource: ScimResource;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScimMember {
  value: string;
  display: string;
}

const GROUP_COLUMNS: ColumnMap = {
  id: { sql: 'g.id::text', kind: 'text' },
  externalId: { sql: 'g.external_id', kind: 'text' },
  displayName: { sql: 'g.display_name', kind: 'text' },
  'meta.created': { sql: 'g.created_at', kind: 'timestamp' },
  'meta.lastModified': { sql: 'g.updated_at', kind: 'timestamp' },
};

/** `members.value eq "…"` and `members[value eq "…"]` look at scim.member, not at `resource`. */
function membersCondition(path: ResolvedPath, f: ScimFilter, c: { param(v: unknown): string }): string | undefined {
  if (path.attribute.name !== 'members') return undefined;
  const test = f.op === 'valuePath' ? f.filter : f;
  if (test.op === 'pr' && f.op !== 'valuePath') return 'EXISTS (SELECT 1 FROM scim.member m WHERE m.group_id = g.id)';
  if ((test.op === 'eq' || test.op === 'ne') && test.path.sub?.name === 'value' && typeof test.value === 'string') {
    const exists = `EXISTS (SELECT 1 FROM scim.member m WHERE m.group_id = g.id AND m.user_id::text = lower(${c.param(test.value)}))`;
    return test.op === 'eq' ? exists : `NOT ${exists}`;
  }
  return 'false'; // only members.value can be filtered on; other member sub-attributes match nothing
}

const SELECT = 'SELECT g.id, g.display_name, g.resource, g.version, g.created_at, g.updated_at FROM scim."group" g';
interface Row {
  id: string;
  display_name: string;
  resource: ScimResource;
  version: number;
  created_at: Date;
  updated_at: Date;
}
const toRow = (r: Row): ScimGroupRow => ({
  id: r.id,
  displayName: r.display_name,
  resource: r.resource,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const RETURNING = 'RETURNING id, display_name, resource, version, created_at, updated_at';

/** The stored resource of a group leaves its members out: they are rows. */
function stored(resource: ScimResource): unknown[] {
  const { members: _members, ...rest } = resource;
  return [resource.displayName, resource.externalId ?? null, JSON.stringify(rest)];
}

export async function insertScimGroup(db: Queryable, resource: ScimResource): Promise<ScimGroupRow> {
  try {
    const { rows } = await db.query<Row>(
      `INSERT INTO scim."group" (display_name, external_id, resource) VALUES ($1, $2, $3) ${RETURNING}`,
      stored(resource),
    );
    return toRow(rows[0]!);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ScimConflict(String(resource.displayName));
    throw err;
  }
}

export async function updateScimGroup(db: Queryable, id: string, resource: ScimResource): Promise<ScimGroupRow> {
  try {
    const { rows } = await db.query<Row>(
      `UPDATE scim."group" SET display_name = $1, external_id = $2, resource = $3, version = version + 1, updated_at = now()
       WHERE id = $4 ${RETURNING}`,
      [...stored(resource), id],
    );
    return toRow(rows[0]!);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ScimConflict(String(resource.displayName));
    throw err;
  }
}

export async function getScimGroup(db: Queryable, id: string, forUpdate = false): Promise<ScimGroupRow | undefined> {
  if (!isResourceId(id)) return undefined;
  const { rows } = await db.query<Row>(`${SELECT} WHERE g.id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] && toRow(rows[0]);
}

export async function deleteScimGroup(db: Queryable, id: string): Promise<boolean> {
  if (!isResourceId(id)) return false;
  const { rowCount } = await db.query('DELETE FROM scim."group" WHERE id = $1', [id]);
  return (rowCount ?? 0) > 0;
}

/** Sets a group's members to exactly `userIds` (checked to exist by the caller). */
export async function setScimMembers(db: Queryable, groupId: string, userIds: readonly string[]): Promise<void> {
  await db.query('DELETE FROM scim.member WHERE group_id = $1 AND NOT (user_id = ANY($2::uuid[]))', [groupId, userIds]);
  await db.query(
    `INSERT INTO scim.member (group_id, user_id) SELECT $1, u FROM unnest($2::uuid[]) AS u ON CONFLICT DO NOTHING`,
    [groupId, userIds],
  );
}

/** Members of each group, with the user's userName as `display`. */
export async function membersOfScimGroups(
  db: Queryable,
  groupIds: readonly string[],
): Promise<Map<string, ScimMember[]>> {
  const out = new Map<string, ScimMember[]>();
  if (groupIds.length === 0) return out;
  const { rows } = await db.query<{ group_id: string; id: string; user_name: string }>(
    `SELECT m.group_id, u.id, u.user_name FROM scim.member m JOIN scim."user" u ON u.id = m.user_id
     WHERE m.group_id = ANY($1::uuid[]) ORDER BY lower(u.user_name)`,
    [groupIds],
  );
  for (const r of rows) out.set(r.group_id, [...(out.get(r.group_id) ?? []), { value: r.id, display: r.user_name }]);
  return out;
}

export async function listScimGroups(
  db: Queryable,
  filter: ScimFilter | undefined,
  paging: { startIndex: number; count: number },
): Promise<{ total: number; rows: ScimGroupRow[] }> {
  const where = filter ? compileScimFilter(filter, GROUP_COLUMNS, 1, membersCondition) : { sql: 'true', params: [] };
  const n = where.params.length;
  const [{ rows: counted }, { rows }] = await Promise.all([
    db.query<{ total: string }>(`SELECT count(*) AS total FROM scim."group" g WHERE ${where.sql}`, where.params),
    paging.count === 0
      ? Promise.resolve({ rows: [] as Row[] })
      : db.query<Row>(`${SELECT} WHERE ${where.sql} ORDER BY g.created_at, g.id OFFSET $${n + 1} LIMIT $${n + 2}`, [
          ...where.params,
          paging.startIndex - 1,
          paging.count,
        ]),
  ]);
  return { total: Number(counted[0]!.total), rows: rows.map(toRow) };
}
