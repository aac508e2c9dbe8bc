import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { copyBatch } from './copy-batch.js';

const rows = (...lines: string[]) => [Buffer.from(lines.map((l) => `${l}\n`).join(''))];

describe(copyBatch.name, () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE a (n int PRIMARY KEY, s text); CREATE TABLE b (n int, doc jsonb)');
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });
  beforeEach(async () => {
    await client.query('TRUNCATE a, b');
  });

  const count = async (table: string) =>
    (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

  it('writes several tables in one round trip and gives each statement its row count', async () => {
    const counts = await copyBatch(client, [
      { sql: 'COPY a (n, s) FROM STDIN', data: [...rows('1\tone', '2\ttab\\there'), ...rows('3\t\\N')] },
      { sql: 'COPY b (n, doc) FROM STDIN', data: [] },
      { sql: 'COPY b (n, doc) FROM STDIN', data: rows('7\t{"k": "v"}') },
    ]);
    expect(counts).toEqual([3, 0, 1]);
    const { rows: a } = await client.query('SELECT n, s FROM a ORDER BY n');
    expect(a).toEqual([
      { n: 1, s: 'one' },
      { n: 2, s: 'tab\there' },
      { n: 3, s: null },
    ]);
    expect((await client.query('SELECT doc FROM b')).rows).toEqual([{ doc: { k: 'v' } }]);
  });

  it('sends nothing when no statement has data, and the client stays usable', async () => {
    expect(await copyBatch(client, [{ sql: 'COPY a (n, s) FROM STDIN', data: [Buffer.alloc(0)] }])).toEqual([0]);
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('streams megabytes more than a socket buffer holds, batch after batch in order', async () => {
    const big = (from: number) =>
      Array.from({ length: 20 }, (_, k) =>
        rows(...Array.from({ length: 5_000 }, (_, i) => `${from + k * 5_000 + i}\t${'x'.repeat(40)}`)),
      ).flat();
    // The next batch is sent from the first one's answer, as the transform stage chains its chunks.
    const first = copyBatch(client, [{ sql: 'COPY a (n, s) FROM STDIN', data: big(0) }]);
    const second = first.then(() => copyBatch(client, [{ sql: 'COPY a (n, s) FROM STDIN', data: big(100_000) }]));
    expect(await first).toEqual([100_000]);
    expect(await second).toEqual([100_000]);
    expect(await count('a')).toBe(200_000);
    expect((await client.query('SELECT min(n)::int AS lo, max(n)::int AS hi FROM a')).rows).toEqual([
      { lo: 0, hi: 199_999 },
    ]);
  });

  it('rejects with the server error of a bad row, writes nothing of the batch, and the connection goes on', async () => {
    const bad = copyBatch(client, [
      { sql: 'COPY a (n, s) FROM STDIN', data: rows('1\tfine') },
      { sql: 'COPY b (n, doc) FROM STDIN', data: rows('2\t{"ok": true}', '3\t{not json') },
      { sql: 'COPY a (n, s) FROM STDIN', data: rows('4\tnever') },
    ]);
    await expect(bad).rejects.toThrow(/invalid input syntax for type json/);
    await expect(bad).rejects.toMatchObject({ where: expect.stringMatching(/COPY b, line 2/) });
    // One simple Query is one implicit transaction: the first statement's row went with the error.
    expect(await count('a')).toBe(0);
    expect(await count('b')).toBe(0);
    expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  it('inside a transaction, a failed batch aborts it: the next one is refused and ROLLBACK leaves nothing', async () => {
    await client.query('BEGIN');
    expect(await copyBatch(client, [{ sql: 'COPY a (n, s) FROM STDIN', data: rows('1\tuntil rollback') }])).toEqual([
      1,
    ]);
    await expect(copyBatch(client, [{ sql: 'COPY a (n, s) FROM STDIN', data: rows('1\tagain') }])).rejects.toThrow(
      /duplicate key value violates unique constraint/,
    );
    await expect(copyBatch(client, [{ sql: 'COPY b (n, doc) FROM STDIN', data: rows('5\t{}') }])).rejects.toThrow(
      /current transaction is aborted/,
    );
    await client.query('ROLLBACK');
    expect(await count('a')).toBe(0);
    expect(await count('b')).toBe(0);
  });

  it('refuses a statement carrying a semicolon before sending anything', async () => {
    await expect(copyBatch(client, [{ sql: 'COPY a FROM STDIN; DROP TABLE a', data: rows('1\tx') }])).rejects.toThrow(
      /one statement per entry/,
    );
    expect(await count('a')).toBe(0);
  });
});
