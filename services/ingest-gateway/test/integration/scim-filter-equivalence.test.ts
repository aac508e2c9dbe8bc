/**
 * The SQL a SCIM filter compiles to (store/scim-filter-sql.ts) selects exactly the users that
 * @usersync/scim matchesFilter accepts, for hundreds of seeded random filters over varied users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from 'pg';
import { createPool } from '@usersync/platform';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { runMigrations } from '@usersync/platform';
import { USER_RESOURCE, matchesFilter, normalizeResource, parseFilter, type ScimResource } from '@usersync/scim';
import { pino } from 'pino';
import { fileURLToPath } from 'node:url';
import { insertScimUser, listScimUsers } from '../../src/store/scim-users.repository.js';
import { rng } from '../support/fuzz-cases.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
let db: TestDatabase;
let pool: Pool;
const stored: ScimResource[] = [];

const rand = rng(20261203);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const WORDS = ['ann', 'bob', 'cara', 'dev', 'ella', 'finn'];
const TYPES = ['work', 'home', 'other'];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  await runMigrations(pool, {
    owner: 'runs',
    dir: fileURLToPath(new URL('../../migrations', import.meta.url)),
    log: pino({ level: 'silent' }),
  });
  for (let i = 0; i < 60; i++) {
    const w = pick(WORDS);
    const body: Record<string, unknown> = { userName: `${w}${i}`, externalId: i % 4 ? `X${i}` : undefined };
    if (rand() < 0.8)
      body.name = { givenName: pick(WORDS).toUpperCase(), ...(rand() < 0.5 ? { familyName: pick(WORDS) } : {}) };
    if (rand() < 0.7) body.displayName = `${pick(WORDS)} ${pick(WORDS)}`;
    if (rand() < 0.8) body.active = rand() < 0.6;
    if (rand() < 0.5) body.title = pick(['Dr', 'Prof', 'Ms']);
    const emails = Array.from({ length: Math.floor(rand() * 3) }, (_, k) => ({
      value: `${pick(WORDS)}${k}@Ex${i % 3}.org`,
      type: pick(TYPES),
    }));
    if (emails.length) body.emails = emails;
    if (rand() < 0.4) body[ENTERPRISE] = { department: pick(['Sales', 'sales', 'Ops']) };
    const row = await insertScimUser(pool, normalizeResource(USER_RESOURCE, body));
    stored.push({
      id: row.id,
      ...row.resource,
      meta: { created: row.createdAt.toISOString(), lastModified: row.updatedAt.toISOString() },
    });
  }
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const q = (v: string) => JSON.stringify(v);
/** `attr op value`, or `attr pr` when pr is drawn. */
const cmp = (attr: string, ops: string[], values: string[]) => {
  const op = pick(ops);
  return op === 'pr' ? `${attr} pr` : `${attr} ${op} ${pick(values)}`;
};
function leaf(): string {
  const w = pick(WORDS);
  switch (Math.floor(rand() * 12)) {
    case 0:
      return cmp(
        'userName',
        ['eq', 'ne', 'sw', 'co', 'ew', 'gt', 'le'],
        [q(w), q(`${w}1`), q(w.toUpperCase()), q('1')],
      );
    case 1:
      return cmp('externalId', ['eq', 'ne', 'sw', 'pr'], [q('X1'), q('x1'), q('X'), q('X12')]);
    case 2:
      return cmp('name.givenName', ['eq', 'co', 'sw', 'ne'], [q(w), q(w.toUpperCase())]);
    case 3:
      return cmp('name.familyName', ['pr', 'eq'], [q(w)]);
    case 4:
      return cmp('displayName', ['co', 'sw', 'ew', 'eq', 'pr'], [q(w)]);
    case 5:
      return cmp('active', ['eq', 'ne', 'pr'], ['true', 'false', '"True"']);
    case 6:
      return cmp('title', ['pr', 'eq', 'ne'], [q('Dr'), q('ms')]);
    case 7:
      return cmp(
        'emails.value',
        ['eq', 'ne', 'co', 'sw', 'ew', 'pr'],
        [q(`${w}0@ex1.org`), q('@EX2'), q(w), q('.org')],
      );
    case 8:
      return `emails[type eq ${q(pick(TYPES))} and value co ${q(pick(WORDS))}]`;
    case 9:
      return `emails[type ${pick(['eq', 'ne'])} ${q(pick(TYPES))}]`;
    case 10:
      return cmp(`${ENTERPRISE}:department`, ['eq', 'ne', 'pr'], [q('sales'), q('OPS')]);
    default:
      return cmp('meta.created', ['gt', 'lt', 'ge'], [q('2000-01-01T00:00:00Z'), q('2999-01-01T00:00:00Z')]);
  }
}
function filter(depth: number): string {
  const r = rand();
  if (depth <= 0 || r < 0.4) return leaf();
  if (r < 0.6) return `not (${filter(depth - 1)})`;
  return `(${filter(depth - 1)} ${pick(['and', 'or'])} ${filter(depth - 1)})`;
}

describe('SCIM filters in SQL and in memory', () => {
  it('select the same users for 400 random filters', async () => {
    let compared = 0;
    let nonTrivial = 0;
    for (let n = 0; n < 400; n++) {
      const text = filter(3);
      const parsed = parseFilter(USER_RESOURCE, text);
      const expected = stored
        .filter((r) => matchesFilter(r, parsed))
        .map((r) => r.id)
        .sort();
      const { rows, total } = await listScimUsers(pool, parsed, { startIndex: 1, count: 1000 });
      expect(rows.map((r) => r.id).sort(), text).toEqual(expected);
      expect(total, text).toBe(expected.length);
      compared++;
      if (expected.length > 0 && expected.length < stored.length) nonTrivial++;
    }
    expect(compared).toBe(400);
    expect(nonTrivial).toBeGreaterThan(150); // the filters really discriminate
  });
});
