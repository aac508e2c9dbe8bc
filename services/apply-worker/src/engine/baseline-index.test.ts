/**
 * The baseline index against a plain model (a Map of username → key, a Set of users seen, a Set of usernames
 * claimed by the run's duplicate check): same answers for add, see, seeRecord, claims and absent over random
 * operations, and the COPY text parser reads escaped
 * usernames and rows split anywhere across chunks.
 */
import { describe, expect, it } from 'vitest';
import { BaselineIndex, matchKeyOf, readBaselineCopy } from './baseline-index.js';

/** The index's rules written the slow, obvious way. */
class Model {
  readonly keys = new Map<string, string | null>();
  readonly seen = new Set<string>();
  readonly claimed = new Set<string>();
  claim(username: string): boolean {
    if (this.claimed.has(username)) return false;
    this.claimed.add(username);
    return true;
  }
  add(username: string, desired: string | null, record: string | null): void {
    if (this.keys.has(username)) return;
    this.keys.set(username, desired === null || record === null ? null : desired.slice(0, 16) + record.slice(0, 16));
  }
  see(username: string, desired?: string, record?: string): boolean {
    if (!this.keys.has(username)) return false;
    this.seen.add(username);
    const key = this.keys.get(username);
    if (key == null || desired === undefined || record === undefined) return false;
    return key === desired.slice(0, 16) + record.slice(0, 16);
  }
  seeRecord(username: string, record: string): boolean {
    const key = this.keys.get(username);
    if (key == null || key.slice(16) !== record.slice(0, 16)) return false;
    this.seen.add(username);
    return true;
  }
  absent(): string[] {
    return [...this.keys.keys()].filter((u) => !this.seen.has(u));
  }
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (rand: () => number, n: number) =>
  Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');

describe('baseline index', () => {
  it('answers as the plain model over random operations (past its growth points)', () => {
    const rand = random(7);
    const index = new BaselineIndex();
    const model = new Model();
    const names = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? `ü-${i}` : `user${i}`));
    const digests = new Map<string, [string, string]>();
    for (const name of names) {
      const d: [string, string] = [hex(rand, 64), hex(rand, 40)];
      digests.set(name, d);
      const eligible = rand() > 0.1;
      index.add(name, eligible ? matchKeyOf(d[0], d[1]) : null);
      model.add(name, eligible ? d[0] : null, eligible ? d[1] : null);
    }
    index.add(names[0]!, null);
    model.add(names[0]!, null, null);
    expect(index.size).toBe(model.keys.size);
    for (let n = 0; n < 4000; n++) {
      const name = rand() < 0.9 ? names[Math.floor(rand() * names.length)]! : `stranger${n}`;
      const [desired, record] = digests.get(name) ?? [hex(rand, 64), hex(rand, 40)];
      const r = rand();
      if (r < 0.1) expect(index.claims.add(name)).toBe(model.claim(name));
      else if (r < 0.3) expect(index.seeRecord(name, record)).toBe(model.seeRecord(name, record));
      else if (r < 0.4) expect(index.seeRecord(name, hex(rand, 40))).toBe(model.seeRecord(name, hex(rand, 40)));
      else if (r < 0.7) expect(index.see(name, desired, record)).toBe(model.see(name, desired, record));
      else if (r < 0.8) expect(index.see(name, hex(rand, 64), record)).toBe(model.see(name, hex(rand, 64), record));
      else expect(index.see(name)).toBe(model.see(name));
    }
    expect([...index.absent()]).toEqual(model.absent());
    expect(index.size).toBe(model.keys.size);
    expect(() => index.add('late', null)).toThrow(/before any claim/);
  });

  it('claims each username once per run, in the baseline or not, without naming a user for the block', () => {
    const index = new BaselineIndex();
    index.add('kept', matchKeyOf('a'.repeat(64), 'b'.repeat(40)));
    index.add('gone', null);
    expect(index.claims.add('kept')).toBe(true);
    expect(index.claims.add('kept')).toBe(false);
    expect(index.claims.add('new-user')).toBe(true);
    expect(index.claims.add('new-user')).toBe(false);
    expect(index.claims.add('ñew')).toBe(true);
    expect(index.claims.add('ñew')).toBe(false);
    // A claimed name outside the baseline is no baseline user: never seen, never absent.
    expect(index.see('new-user')).toBe(false);
    expect(index.seeRecord('new-user', 'b'.repeat(40))).toBe(false);
    expect(index.size).toBe(2);
    // Claiming is the duplicate check only: whether the file named a user is see's business.
    expect([...index.absent()]).toEqual(['kept', 'gone']);
    expect(index.seeRecord('kept', 'b'.repeat(40))).toBe(true);
    expect([...index.absent()]).toEqual(['gone']);
  });

  it('reads COPY text split across chunks anywhere, with escaped usernames and ineligible users', async () => {
    const key = (i: number) => matchKeyOf(String(i).padStart(64, 'a'), String(i).padStart(40, 'b'));
    const users = ['plain', 'tab\there', 'back\\slash', 'new\nline', 'ünï', 'none'];
    const escape = (u: string) => u.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
    const text = users
      .map((u, i) => `${escape(u)}\t${u === 'none' ? '' : key(i).source.toString('latin1')}\n`)
      .join('');
    const bytes = Buffer.from(text, 'utf8');
    for (const size of [1, 7, 64, bytes.length]) {
      const chunks = async function* () {
        for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
      };
      const index = await readBaselineCopy(chunks());
      expect(index.size).toBe(users.length);
      users.forEach((u, i) => {
        const k = key(i).source.toString('latin1');
        expect(index.seeRecord(u, k.slice(16) + 'x'.repeat(24))).toBe(u !== 'none');
      });
      expect([...index.absent()]).toEqual(['none']);
    }
  });
});
