import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import {
  BULK_BUNDLE,
  DELTA_BUNDLE,
  ROLES_HEADER,
  USERS_HEADER,
  manifest,
  zipBundle,
} from '../../fixtures/oneroster.fixture.js';
import { readOneRoster, validateOneRosterBundle } from './oneroster-bundle.js';
import { DeltaMergeError, mergeOneRosterDelta } from './delta-merge.js';

/** A byte source of one buffer. */
const src = (b: Buffer) => Readable.from([b]);

const merge = async (base: Record<string, string>, delta: Record<string, string>) => {
  const { bundle, summary } = await mergeOneRosterDelta(src(await zipBundle(base)), src(await zipBundle(delta)));
  return { bytes: await buffer(bundle), summary };
};

async function usernames(bytes: Buffer): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for await (const r of readOneRoster('roster', { read: 'oneroster-csv' }, src(bytes)))
    out[r.username as string] = (r.roles as { role: string; orgName?: string }[]).map((x) => `${x.role}@${x.orgName}`);
  return out;
}

describe('a OneRoster delta merged onto the snapshot it follows', () => {
  it('gives a valid bulk bundle: leavers and their roles gone, joiners added, the rest as it was', async () => {
    const { bytes, summary } = await merge(BULK_BUNDLE, DELTA_BUNDLE);
    const checked = await validateOneRosterBundle(src(bytes));
    expect(checked.problems).toEqual([]);
    expect(checked.manifest?.modes.get('users.csv')).toBe('bulk');
    expect(await usernames(bytes)).toEqual({
      ajones: ['student@North School'],
      cli: ['student@South School'],
      mrsgreen: ['teacher@North School', 'teacher@South School'],
      dpatel: ['student@South School'],
    });
    expect(summary.files['users.csv']).toEqual({ mode: 'delta', kept: 3, replaced: 0, added: 1, removed: 1 });
    expect(summary.files['roles.csv']).toEqual({ mode: 'delta', kept: 4, replaced: 0, added: 1, removed: 1 });
    expect(summary.files['orgs.csv']).toMatchObject({ mode: 'absent', kept: 3 });
  });

  it('replaces a changed row by sourcedId, matching columns by name whatever their order', async () => {
    const reordered = USERS_HEADER.split(',').reverse().join(',');
    const cells = (row: string) => row.split(',').reverse().join(',');
    const amy = 'u1,active,2026-10-02T08:00:00.000Z,true,ajones,,Amelia,Jones,,U1,amelia@school.example,,,,,,,,,,,s1,';
    const { bytes, summary } = await merge(BULK_BUNDLE, {
      'manifest.csv': manifest({ users: 'delta', roles: 'absent', orgs: 'absent' }),
      'users.csv': [reordered, cells(amy)].join('\n'),
    });
    expect((await validateOneRosterBundle(src(bytes))).problems).toEqual([]);
    const records: Record<string, unknown>[] = [];
    for await (const r of readOneRoster('roster', { read: 'oneroster-csv' }, src(bytes))) records.push(r);
    expect(records.find((r) => r.sourcedId === 'u1')).toMatchObject({
      givenName: 'Amelia',
      email: 'amelia@school.example',
    });
    expect(records).toHaveLength(4);
    expect(summary.files['users.csv']).toMatchObject({ kept: 3, replaced: 1, added: 0, removed: 0 });
  });

  it('is deterministic: the same two bundles give the same bytes', async () => {
    const [a, b] = [await merge(BULK_BUNDLE, DELTA_BUNDLE), await merge(BULK_BUNDLE, DELTA_BUNDLE)];
    expect(a.bytes.equals(b.bytes)).toBe(true);
  });

  it('chains: a second delta applies onto the first merge', async () => {
    const first = await merge(BULK_BUNDLE, DELTA_BUNDLE);
    const again = {
      'manifest.csv': manifest({ users: 'delta', roles: 'delta', orgs: 'absent' }),
      'users.csv': [USERS_HEADER, 'u3,tobedeleted,2026-10-03T08:00:00.000Z,true,cli,,Chen,Li,,U3,,,,,,,,,,,,s2,'].join(
        '\n',
      ),
      'roles.csv': ROLES_HEADER,
    };
    const { bundle } = await mergeOneRosterDelta(src(first.bytes), src(await zipBundle(again)));
    expect(Object.keys(await usernames(await buffer(bundle))).sort()).toEqual(['ajones', 'dpatel', 'mrsgreen']);
  });

  it('refuses a base that is itself a delta', async () => {
    await expect(merge(DELTA_BUNDLE, DELTA_BUNDLE)).rejects.toThrow(DeltaMergeError);
  });
});
