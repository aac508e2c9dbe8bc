/**
 * A username index: a set of names whose entries are numbered 0, 1, … in the order added, so callers keep
 * per-name data in typed arrays beside it (the run's duplicate check; the apply worker's baseline).
 * Contract: `add`/`indexOf` answer as a `Set<string>` would (username-index.test.ts checks it).
 *
 * Why not a Set: it holds every name as a heap object, which costs more than the transform at a million
 * names (figures: bench/README.md, "control-file engine"). Here the characters go into one growing
 * Uint16Array and an open-addressing table holds each entry's number and hash in Int32Arrays. The hash is
 * seeded per index, so a file cannot be built to collide.
 */
export class UsernameIndex {
  private chars = new Uint16Array(1 << 16);
  private used = 0;
  /** Entry k's characters are chars[starts[k] .. starts[k + 1]). */
  private starts = new Int32Array(1 << 12);
  private count = 0;
  /** Entry number + 1 per slot (0 = empty), and that entry's hash. */
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 12);
  private readonly seed = (Math.random() * 0x100000000) | 0;

  /** Names held. */
  get size(): number {
    return this.count;
  }

  /** Adds `name`; false when it was already there. Entries are numbered 0, 1, … in the order added. */
  add(name: string): boolean {
    const hash = this.hash(name);
    const slot = this.slotOf(name, hash);
    if (this.slots[slot] !== 0) return false;
    this.append(name);
    this.slots[slot] = this.count;
    this.hashes[slot] = hash;
    if (this.count * 2 > this.slots.length) this.rehash();
    return true;
  }

  /** The entry number of `name`, or -1. */
  indexOf(name: string): number {
    return this.slots[this.slotOf(name, this.hash(name))] - 1;
  }

  /** The name of entry `entry` (0 ≤ entry < size). */
  nameAt(entry: number): string {
    // In slices: a spread of a very long name would exceed the engine's argument limit.
    const end = this.starts[entry + 1];
    let name = '';
    for (let at = this.starts[entry]; at < end; at += 8192) {
      name += String.fromCharCode(...this.chars.subarray(at, Math.min(end, at + 8192)));
    }
    return name;
  }

  /** The slot holding `name`, or the empty slot where it would go. */
  private slotOf(name: string, hash: number): number {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let entry = this.slots[slot]; entry !== 0; entry = this.slots[slot]) {
      if (this.hashes[slot] === hash && this.equals(entry - 1, name)) return slot;
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  // FNV-1a over UTF-16 code units, from a random basis.
  private hash(name: string): number {
    let h = this.seed;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    return h;
  }

  private equals(entry: number, name: string): boolean {
    const start = this.starts[entry];
    if (this.starts[entry + 1] - start !== name.length) return false;
    for (let i = 0; i < name.length; i++) if (this.chars[start + i] !== name.charCodeAt(i)) return false;
    return true;
  }

  private append(name: string): void {
    const end = this.used + name.length;
    if (end > this.chars.length) this.chars = grown(this.chars, end);
    for (let i = 0; i < name.length; i++) this.chars[this.used + i] = name.charCodeAt(i);
    this.used = end;
    this.count++;
    if (this.count + 1 > this.starts.length) this.starts = grown(this.starts, this.count + 1);
    this.starts[this.count] = end;
  }

  /** Doubles the table (kept at most half full), placing entries by their stored hashes. */
  private rehash(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let old = 0; old < slots.length; old++) {
      if (slots[old] === 0) continue;
      let slot = hashes[old] & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = slots[old];
      this.hashes[slot] = hashes[old];
    }
  }
}

function grown<T extends Uint16Array | Int32Array>(array: T, atLeast: number): T {
  let length = array.length * 2;
  while (length < atLeast) length *= 2;
  const copy = new (array.constructor as new (n: number) => T)(length);
  copy.set(array);
  return copy;
}

/** The old name of UsernameIndex (services/apply-worker uses it). */
export { UsernameIndex as UsernameSet };
