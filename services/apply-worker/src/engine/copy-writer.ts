/**
 * The COPY writer: PostgreSQL COPY text format for the bulk writes of a run. Values are escaped as COPY
 * reads them (`field`, `jsonField`, `bool`), rows are UTF-8 encoded into buffers as they are added
 * (`CopyRows`), and `copyText` (or platform's copyBatch, several tables in one round trip) sends them. test/integration/copy-writer.test.ts round-trips
 * awkward values and many-buffer row sets through PostgreSQL.
 */
import type pg from 'pg';
import { copyBatch, type CopyStatement } from '@usersync/platform';

// COPY text format: backslash, tab, newline and carriage return are escaped; \N is NULL. PostgreSQL
// text cannot hold NUL, so it becomes U+FFFD rather than failing the whole run on one odd byte.
const SPECIAL = /[\\\t\n\r\0]/;
export function field(value: string | null): string {
  if (value === null) return '\\N';
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r\0]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\uFFFD',
  );
}

/**
 * A JSON text as JSON.stringify writes it (every JSON column here is built that way): it has no raw tab,
 * newline, carriage return or NUL (those are escaped inside strings, and there is no whitespace between
 * tokens), so only a backslash needs COPY escaping, and JSON without one (nearly every record) needs none:
 * one `includes` decides, which is much cheaper than the regular expression (bench/README.md).
 * jsonb (the planner's casts) rejects the escape \u0000, which JSON.stringify writes for NUL: odd backslash
 * runs only.
 */
export function jsonField(json: string | null): string {
  if (json === null) return '\\N';
  if (!json.includes('\\')) return json;
  if (json.includes('\\u0000')) json = json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
  return field(json);
}

export const bool = (b: boolean) => (b ? 't' : 'f');

// Rows go straight into 64 KB buffers so no chunk-sized string is built and encoded again (it was costly
// garbage; see "apply-worker engine" in bench/README.md).
const BUFFER_BYTES = 64 * 1024;

/** COPY text rows of one chunk, encoded into buffers as they come. */
export class CopyRows {
  private readonly buffers: Buffer[] = [];
  private current = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;

  add(row: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (this.used + row.length * 3 > BUFFER_BYTES) {
      this.seal();
      if (row.length * 3 > BUFFER_BYTES) {
        this.buffers.push(Buffer.from(row, 'utf8'));
        return;
      }
    }
    this.used += this.current.write(row, this.used, 'utf8');
  }

  /** The encoded rows, in order (the object is done with afterwards). */
  take(): Buffer[] {
    this.seal();
    return this.buffers;
  }

  private seal(): void {
    if (this.used === 0) return;
    this.buffers.push(this.current.subarray(0, this.used));
    this.current = Buffer.allocUnsafe(BUFFER_BYTES);
    this.used = 0;
  }
}

/** The COPY of `rows` into the table `sql` names, for copyBatch (the rows are taken). */
export const copyOf = (sql: string, rows: CopyRows): CopyStatement => ({ sql, data: rows.take() });

/** Streams COPY text rows into the table `sql` names; nothing when there are none. */
export async function copyText(client: pg.ClientBase, sql: string, rows: CopyRows): Promise<void> {
  await copyBatch(client, [copyOf(sql, rows)]);
}
