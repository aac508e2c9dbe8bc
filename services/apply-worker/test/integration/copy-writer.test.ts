/**
 * COPY text encoding against a real PostgreSQL: every awkward character survives `field` and `jsonField`
 * (which escapes only backslashes, relying on JSON.stringify never writing a raw control character), and
 * rows spread over many 64 KB buffers arrive whole and in order.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyText, CopyRows, field, jsonField } from '../../src/engine/copy-writer.js';
import { createHarness, type Harness } from '../support/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** Runs `body` in a transaction on one connection (the temp tables live until it ends). */
async function inTransaction(body: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await h.pool.connect();
  try {
    await client.query('BEGIN');
    await body(client);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

const AWKWARD = [
  'plain',
  '',
  'tab\there',
  'new\nline',
  'carriage\rreturn',
  'back\\slash',
  '\\\\double',
  'ends with \\',
  'quote " and \\" both',
  'nul\u0000byte',
  '\\N',
  'unicode ü 中文 😀',
  'control \u0001\u001f',
  '\\u0000 written out',
];

describe('COPY text', () => {
  it('carries every awkward string through field and jsonField, in text and json columns', async () => {
    await inTransaction(async (client) => {
      await client.query('CREATE TEMP TABLE t (n int, plain text, doc json, nothing text) ON COMMIT DROP');
      const rows = new CopyRows();
      AWKWARD.forEach((s, n) => {
        const doc = JSON.stringify({ s, list: [s, n], nested: { [s]: s } });
        rows.add(`${n}\t${field(s)}\t${jsonField(doc)}\t${field(null)}\n`);
      });
      await copyText(client, 'COPY t (n, plain, doc, nothing) FROM STDIN', rows);
      const { rows: back } = await client.query<{ n: number; plain: string; doc: string; nothing: null }>(
        'SELECT n, plain, doc::text AS doc, nothing FROM t ORDER BY n',
      );
      expect(back).toHaveLength(AWKWARD.length);
      back.forEach((r, n) => {
        const s = AWKWARD[n]!;
        // PostgreSQL text cannot hold NUL: it becomes U+FFFD, in plain text and in JSON alike.
        const stored = s.replaceAll('\u0000', '\uFFFD');
        expect(r.plain).toBe(stored);
        expect(r.nothing).toBeNull();
        const expected = s.includes('\u0000')
          ? { s: stored, list: [stored, n], nested: { [stored]: stored } }
          : { s, list: [s, n], nested: { [s]: s } };
        expect(JSON.parse(r.doc)).toEqual(expected);
      });
      // jsonb parses what json only checks: the escapes must be valid there too.
      const { rows: casts } = await client.query<{ n: number }>('SELECT count(doc::jsonb)::int AS n FROM t');
      expect(casts[0]!.n).toBe(AWKWARD.length);
    });
  });

  it('streams rows larger than a buffer and many buffers in order', async () => {
    await inTransaction(async (client) => {
      await client.query('CREATE TEMP TABLE big (n int, body text) ON COMMIT DROP');
      const rows = new CopyRows();
      const huge = 'x'.repeat(200_000);
      for (let n = 0; n < 20_000; n++) rows.add(`${n}\t${n === 777 ? huge : `row ${n} ü`}\n`);
      await copyText(client, 'COPY big (n, body) FROM STDIN', rows);
      const { rows: back } = await client.query<{ count: number; ordered: boolean; huge: number }>(
        `SELECT count(*)::int AS count,
           bool_and(body = CASE WHEN n = 777 THEN body ELSE 'row ' || n || ' ü' END) AS ordered,
           max(length(body)) FILTER (WHERE n = 777) AS huge FROM big`,
      );
      expect(back[0]).toEqual({ count: 20_000, ordered: true, huge: 200_000 });
    });
  });
});
