/**
 * A compact set of names numbered 0, 1, … in the order added, for per-name data kept in typed arrays
 * beside it (engine/baseline-index.ts). Answers as a Set<string> would (name-table.test.ts).
 *
 * Sized for millions of names in little memory: the names' UTF-8 bytes in one Uint8Array (a username is
 * ASCII nearly always: one byte a character, where a UTF-16 array takes two), their end offsets in a
 * Uint32Array, and an open-addressing table of entry numbers (Int32Array, at most 70 % full, no stored
 * hashes: a probe compares bytes). Arrays grow by half again, not double, so little sits unused. About
 * 4 + 6 + the name's length bytes a name (bench/README.md, "worker memory"). The hash is seeded per
 * table, so a file cannot be built to collide.
 */
const encoder = new TextEncoder();

export class NameTable {
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  /** Entry k's bytes are bytes[ends[k - 1] ?? 0 .. ends[k]). */
  private ends = new Uint32Array(1 << 10);
  private count = 0;
  /** Entry number + 1 per slot (0 = empty). */
  private slots = new Int32Array(1 << 11);
  private readonly seed = (Math.random() * 0x100000000) | 0;
  /** A non-ASCII name's UTF-8 bytes while it is looked up. */
  private scratch = new Uint8Array(256);
  private scratchLength = 0;

  get size(): number {
    return this.count;
  }

  /** The entry number of `name`, adding it when absent; `added` says which. */
  claim(name: string): { entry: number; added: boolean } {
    const slot = this.slotOf(name);
    const found = this.slots[slot]!;
    if (found !== 0) return { entry: found - 1, added: false };
    const entry = this.append(name);
    this.slots[slot] = entry + 1;
    if (this.count * 10 > this.slots.length * 7) this.rehash();
    return { entry, added: true };
  }

  /** The entry number of `name`, or -1. */
  indexOf(name: string): number {
    return this.slots[this.slotOf(name)]! - 1;
  }

  /** The name of entry `entry` (0 ≤ entry < size). */
  nameAt(entry: number): string {
    const start = entry === 0 ? 0 : this.ends[entry - 1]!;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, this.ends[entry]! - start).toString('utf8');
  }

  /**
   * The slot holding `name`, or the empty slot where it would go. An ASCII name is hashed and compared
   * by its char codes (its UTF-8 bytes); any other is encoded into `scratch` first.
   */
  private slotOf(name: string): number {
    const ascii = isAscii(name);
    if (!ascii) this.encode(name);
    const hash = ascii ? this.hashAscii(name) : this.hashScratch();
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0 || (ascii ? this.equalsAscii(entry - 1, name) : this.equalsScratch(entry - 1))) return slot;
    }
  }

  private encode(name: string): void {
    if (this.scratch.length < name.length * 3) this.scratch = new Uint8Array(name.length * 3);
    this.scratchLength = encoder.encodeInto(name, this.scratch).written;
  }

  // FNV-1a over the UTF-8 bytes, from a random basis; the same for both ways of reading a name.
  private hashAscii(name: string): number {
    let h = this.seed;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    return h;
  }

  private hashScratch(): number {
    return this.hashBytes(this.scratch, 0, this.scratchLength);
  }

  private hashBytes(bytes: Uint8Array, start: number, end: number): number {
    let h = this.seed;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    return h;
  }

  private equalsAscii(entry: number, name: string): boolean {
    const start = entry === 0 ? 0 : this.ends[entry - 1]!;
    if (this.ends[entry]! - start !== name.length) return false;
    for (let i = 0; i < name.length; i++) if (this.bytes[start + i] !== name.charCodeAt(i)) return false;
    return true;
  }

  private equalsScratch(entry: number): boolean {
    const start = entry === 0 ? 0 : this.ends[entry - 1]!;
    if (this.ends[entry]! - start !== this.scratchLength) return false;
    for (let i = 0; i < this.scratchLength; i++) if (this.bytes[start + i] !== this.scratch[i]) return false;
    return true;
  }

  /** Appends the name last looked up (its bytes: char codes, or `scratch`); returns its entry number. */
  private append(name: string): number {
    const ascii = isAscii(name);
    const length = ascii ? name.length : this.scratchLength;
    const end = this.used + length;
    if (end > 0xffffffff) throw new Error('name table over 4 GiB of names');
    if (end > this.bytes.length) this.bytes = grown(this.bytes, end);
    if (ascii) for (let i = 0; i < length; i++) this.bytes[this.used + i] = name.charCodeAt(i);
    else this.bytes.set(this.scratch.subarray(0, length), this.used);
    this.used = end;
    if (this.count === this.ends.length) this.ends = grown(this.ends, this.count + 1);
    this.ends[this.count] = end;
    return this.count++;
  }

  /** Doubles the table (a power of two for the mask), placing every entry again by its bytes' hash. */
  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      const start = entry === 0 ? 0 : this.ends[entry - 1]!;
      let slot = this.hashBytes(this.bytes, start, this.ends[entry]!) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = entry + 1;
    }
  }
}

function isAscii(name: string): boolean {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A copy of `array`, half as long again (or `atLeast`). */
export function grown<T extends Uint8Array | Uint32Array>(array: T, atLeast: number): T {
  const length = Math.max(atLeast, Math.ceil(array.length * 1.5));
  const copy = new (array.constructor as new (n: number) => T)(length);
  copy.set(array);
  return copy;
}
