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
import { NameTable, grown } from './name-table.js';

/** A match key's characters in the COPY text: 16 hex digits of each digest. */
const KEY_CHARS = 32;
/** Stored as bytes: 8 of each digest. */
const KEY_BYTES = KEY_CHARS / 2;
const DESIRED_HALF = 0;
const RECORD_HALF = KEY_BYTES / 2;
const ELIGIBLE = 1; // the user may be found unchanged
const SEEN = 2; // the file named the user
const CLAIMED = 4; // a record of this run had this username (the engine's duplicate check)

/**
 * Per user a 128-bit match key: the first 64 bits of the stored desired-state digest and 64 of the raw
 * record's, so a changed record passes for unchanged with odds of 2^-128. Usernames sit in a NameTable
 * (UTF-8 bytes and a table in typed arrays) and the keys as bytes in one array beside it, numbered alike,
 * so the worker's heap cap (devstack SERVICES) holds for any directory size.
 *
 * The same table answers the engine's duplicate check for the run (`claims`, the control-file batch's
 * `seen`): a username the baseline holds is marked, any other is added after the baseline's entries. So a
 * run keeps one set of usernames, not the baseline's and the engine's (at 5M users each cost ~300 MB).
 */
export class BaselineIndex {
  private readonly names = new NameTable();
  /** Entries below this are the baseline's users; later ones were first named by this run's records. */
  private loaded = 0;
  private keys = new Uint8Array(KEY_BYTES * 1024);
  private flags = new Uint8Array(1024);

  /** In-feed users at load time. */
  get size(): number {
    return this.loaded;
  }

  /**
   * Adds a user while loading; `key` is the match key's 32 hex characters in `source` (start, start + 32),
   * or null when the user must be re-applied whatever the record holds.
   */
  add(username: string, key: { source: Buffer; start: number } | null): void {
    if (this.loaded !== this.names.size) throw new Error('baseline users are added before any claim');
    // Usernames are unique in the directory; a repeat would only add nothing.
    const { entry, added } = this.names.claim(username);
    if (!added) return;
    this.loaded++;
    this.room(entry);
    if (key === null) return;
    const at = KEY_BYTES * entry;
    for (let b = 0; b < KEY_BYTES; b++) {
      const hi = nibble(key.source[key.start + 2 * b]!);
      const lo = nibble(key.source[key.start + 2 * b + 1]!);
      // Not hex (never from the loading SQL): the user is simply not eligible.
      if (hi < 0 || lo < 0) return;
      this.keys[at + b] = (hi << 4) | lo;
    }
    this.flags[entry] = ELIGIBLE;
  }

  /**
   * The engine's duplicate check (a control-file `UsernameClaims`): `add(name)` is true for the first
   * record of the run with that username, false for every later one.
   */
  readonly claims = {
    add: (username: string): boolean => {
      const { entry, added } = this.names.claim(username);
      if (added) this.room(entry);
      const flags = this.flags[entry]!;
      if (flags & CLAIMED) return false;
      this.flags[entry] = flags | CLAIMED;
      return true;
    },
  };

  /** Marks the user as named by the file; true when the record changes nothing (digests as stored). */
  see(username: string, desiredDigest?: string, recordDigest?: string): boolean {
    const i = this.baselineEntry(username);
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
    const i = this.baselineEntry(username);
    if (i < 0 || !(this.flags[i]! & ELIGIBLE) || !this.keyHalfIs(i, RECORD_HALF, recordDigest)) return false;
    this.flags[i]! |= SEEN;
    return true;
  }

  /** The users the file did not name. */
  *absent(): Generator<string> {
    for (let i = 0; i < this.loaded; i++) if (!(this.flags[i]! & SEEN)) yield this.names.nameAt(i);
  }

  private baselineEntry(username: string): number {
    const i = this.names.indexOf(username);
    return i < this.loaded ? i : -1;
  }

  /** Whether user `i`'s key half at `offset` holds the first 16 hex digits of `digest`. */
  private keyHalfIs(i: number, offset: number, digest: string): boolean {
    const at = KEY_BYTES * i + offset;
    for (let b = 0; b < KEY_BYTES / 2; b++) {
      const hi = nibble(digest.charCodeAt(2 * b));
      const lo = nibble(digest.charCodeAt(2 * b + 1));
      if (hi < 0 || lo < 0 || this.keys[at + b] !== ((hi << 4) | lo)) return false;
    }
    return true;
  }

  /** Room for entry `entry`'s flags (and, while loading, its key). */
  private room(entry: number): void {
    if (entry >= this.flags.length) this.flags = grown(this.flags, entry + 1);
    if (entry === this.loaded - 1 && KEY_BYTES * this.loaded > this.keys.length)
      this.keys = grown(this.keys, KEY_BYTES * this.loaded);
  }
}

/** A hex digit's value (either case), or -1. */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
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
      index.add(username, nl - tab - 1 === KEY_CHARS ? { source: buf, start: tab + 1 } : null);
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
