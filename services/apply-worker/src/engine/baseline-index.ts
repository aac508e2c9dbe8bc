/**
 * The baseline index: every managed user in the feed before the run, with a 128-bit match key per user,
 * held off the JavaScript heap so the transform stage can
 *   - drop records that change nothing (the common case of a re-sync) before they reach PostgreSQL:
 *     their user's stored desired-state digest and raw-record digest both match, and nothing forces
 *     a re-apply (error flag, force update);
 *   - tell which users the file no longer names (block candidates) without scanning the directory.
 * The SQL that produces its COPY text is store/baseline.repository.ts; `readBaselineCopy` parses it.
 * src/engine/baseline-index.test.ts checks it against a plain Map model.
 */
import { UsernameSet } from '@usersync/control-file';

const KEY_BYTES = 32;
// Where each digest's 16 hex digits sit in a user's key (as the loading SQL and matchKeyOf build it).
const DESIRED_HALF = 0;
const RECORD_HALF = KEY_BYTES / 2;
const ELIGIBLE = 1; // the user may be found unchanged
const SEEN = 2; // the file named the user

/**
 * Per user a 128-bit match key: 16 hex digits of the stored desired-state digest and 16 of the raw
 * record's, so a changed record passes for unchanged with odds of 2^-128. Usernames sit in the engine's
 * UsernameSet (characters and hash table in typed arrays) and the keys as ASCII in one buffer beside it,
 * numbered alike, so the worker's heap cap (devstack SERVICES) holds for any directory size.
 */
export class BaselineIndex {
  private readonly names = new UsernameSet();
  private keys = Buffer.alloc(KEY_BYTES * 1024);
  private flags = new Uint8Array(1024);

  /** In-feed users at load time. */
  get size(): number {
    return this.names.size;
  }

  /**
   * Adds a user; `key` is the match key's bytes in `source` (start, end), or null when the user must be
   * re-applied whatever the record holds.
   */
  add(username: string, key: { source: Buffer; start: number } | null): void {
    const i = this.names.size;
    // Usernames are unique in the directory; a repeat would only add nothing.
    if (!this.names.add(username)) return;
    if (i === this.flags.length) this.grow();
    if (key === null) return;
    this.flags[i] = ELIGIBLE;
    key.source.copy(this.keys, KEY_BYTES * i, key.start, key.start + KEY_BYTES);
  }

  /** Marks the user as named by the file; true when the record changes nothing (digests as stored). */
  see(username: string, desiredDigest?: string, recordDigest?: string): boolean {
    const i = this.names.indexOf(username);
    if (i < 0) return false;
    const flags = this.flags[i]!;
    this.flags[i] = flags | SEEN;
    if (!(flags & ELIGIBLE) || desiredDigest === undefined || recordDigest === undefined) return false;
    return this.keyHalfIs(i, DESIRED_HALF, desiredDigest) && this.keyHalfIs(i, RECORD_HALF, recordDigest);
  }

  /**
   * True, and the user marked as named by the file, when `recordDigest` is (in its first 64 bits) the raw
   * digest the user was last applied from and nothing forces a re-apply. Under an unchanged transform
   * fingerprint (domain/transform-fingerprint.ts) such a record needs no transform: its desired state is the
   * stored one. Otherwise nothing is marked: the record is transformed, and whether it counts as naming
   * its user is decided then (an invalid record does not, under Haplo's blockInvalidRecords).
   */
  seeRecord(username: string, recordDigest: string): boolean {
    const i = this.names.indexOf(username);
    if (i < 0 || !(this.flags[i]! & ELIGIBLE) || !this.keyHalfIs(i, RECORD_HALF, recordDigest)) return false;
    this.flags[i]! |= SEEN;
    return true;
  }

  /** Whether user `i`'s key half at `offset` holds the first 16 hex digits of `digest`. */
  private keyHalfIs(i: number, offset: number, digest: string): boolean {
    const at = KEY_BYTES * i + offset;
    for (let c = 0; c < KEY_BYTES / 2; c++) if (this.keys[at + c] !== digest.charCodeAt(c)) return false;
    return true;
  }

  /** The users the file did not name. */
  *absent(): Generator<string> {
    for (let i = 0; i < this.names.size; i++) if (!(this.flags[i]! & SEEN)) yield this.names.nameAt(i);
  }

  private grow(): void {
    const keys = Buffer.alloc(this.keys.length * 2);
    this.keys.copy(keys);
    this.keys = keys;
    const flags = new Uint8Array(this.flags.length * 2);
    flags.set(this.flags);
    this.flags = flags;
  }
}

/** The match key of a record as BaselineIndex.add takes it: 16 hex digits of each digest, as the loading SQL. */
export function matchKeyOf(desiredDigest: string, recordDigest: string): { source: Buffer; start: number } {
  return { source: Buffer.from(desiredDigest.slice(0, 16) + recordDigest.slice(0, 16), 'latin1'), start: 0 };
}

const TAB = 9;
const NEWLINE = 10;

/**
 * Builds the index from COPY text rows `username \t key` (key: 32 characters, or empty when the user must
 * be re-applied), as chunks of any size arrive.
 */
export async function readBaselineCopy(chunks: AsyncIterable<Buffer>): Promise<BaselineIndex> {
  const index = new BaselineIndex();
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
      const tab = buf.indexOf(TAB, start);
      // Decoding from the buffer gives each username its own string (a slice of a chunk's string would
      // keep the whole chunk alive). COPY escapes a tab, newline or backslash inside a username.
      const username = unescapeCopy(buf.toString('utf8', start, tab));
      index.add(username, nl - tab - 1 === KEY_BYTES ? { source: buf, start: tab + 1 } : null);
      start = nl + 1;
    }
    rest = buf.subarray(start);
  }
  return index;
}

function unescapeCopy(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_, c: string) =>
    c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'b' ? '\b' : c === 'f' ? '\f' : c === 'v' ? '\v' : c,
  );
}
