/**
 * Several `COPY … FROM STDIN` statements sent as one round trip: one simple Query message naming them
 * all, followed at once by every statement's data and CopyDone, without waiting for each CopyInResponse.
 * The backend reads them in order (a COPY takes its data from the connection as it comes) and answers
 * with one ReadyForQuery at the end. pg-copy-streams waits for CopyInResponse before sending data and
 * for ReadyForQuery before the next statement can start, so a writer of many small tables per chunk
 * paid two turns of its own busy event loop per statement while PostgreSQL idled (bench/README.md,
 * "Where the first import's time goes").
 *
 * On an error PostgreSQL skips the rest of the Query and ignores the CopyData and CopyDone messages still
 * on the wire (postgres.c: "Accept but ignore these messages, per protocol spec"); the error rejects the
 * promise. test/integration/copy-batch.test.ts runs both cases against a real server.
 */
import type pg from 'pg';

/** One COPY statement and its data: COPY text rows, already encoded. */
export interface CopyStatement {
  /** `COPY table (columns) FROM STDIN`, without a semicolon. */
  sql: string;
  data: readonly Buffer[];
}

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]); // 'c', length 4

/** pg's submittable protocol (client.query(submittable)): pg calls the handle* methods as messages arrive. */
class CopyBatchQuery implements pg.Submittable {
  private readonly rowCounts: number[] = [];
  private error: Error | undefined;
  /** pg may wrap this (query_timeout); called once with the outcome. */
  callback: ((err: Error | null, rowCounts?: number[]) => void) | undefined;

  constructor(private readonly statements: readonly CopyStatement[]) {}

  submit(connection: pg.Connection): void {
    const stream = connection.stream;
    stream.cork();
    connection.query(this.statements.map((s) => s.sql).join(';\n'));
    for (const s of this.statements) {
      for (const piece of s.data) {
        if (piece.length === 0) continue;
        const header = Buffer.allocUnsafe(5);
        header[0] = COPY_DATA;
        header.writeUInt32BE(piece.length + 4, 1);
        stream.write(header);
        stream.write(piece);
      }
      stream.write(COPY_DONE);
    }
    stream.uncork(); // one writev for the whole batch
  }

  handleCopyInResponse(): void {
    // The data is on its way already.
  }

  handleCommandComplete(msg: { text?: string }): void {
    const match = /^COPY (\d+)/.exec(msg.text ?? '');
    this.rowCounts.push(match ? Number(match[1]) : 0);
  }

  handleError(err: Error): void {
    if (this.error) return;
    this.error = err;
    this.finish(err);
  }

  handleReadyForQuery(): void {
    if (!this.error) this.finish(null);
  }

  // Messages a COPY never produces; present so an odd answer cannot throw inside pg's message loop.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private finish(err: Error | null): void {
    const done = this.callback;
    this.callback = undefined;
    done?.(err, this.rowCounts);
  }
}

/**
 * Runs `statements` in order as one round trip and resolves with each statement's row count (0 for one
 * without data: it is left out, and nothing is sent when none has any). A writer that chains the next
 * batch on this one's promise sends it from the same turn of the event loop that reads the answer (the
 * continuation is a microtask), so PostgreSQL waits for no busy loop between batches; pg's own queue would do
 * the same but is deprecated for queries issued while one runs.
 */
export async function copyBatch(client: pg.ClientBase, statements: readonly CopyStatement[]): Promise<number[]> {
  for (const s of statements) {
    if (s.sql.includes(';')) throw new Error(`copyBatch: one statement per entry, without ';': ${s.sql}`);
  }
  const sent = statements.filter(hasData);
  if (sent.length === 0) return statements.map(() => 0);
  const query = new CopyBatchQuery(sent);
  const counts = await new Promise<number[]>((resolve, reject) => {
    query.callback = (err, rowCounts) => (err ? reject(err) : resolve(rowCounts ?? []));
    client.query(query);
  });
  let next = 0;
  return statements.map((s) => (hasData(s) ? (counts[next++] ?? 0) : 0));
}

const hasData = (s: CopyStatement) => s.data.some((b) => b.length > 0);
