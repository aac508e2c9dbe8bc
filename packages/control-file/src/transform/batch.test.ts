import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultProfileSchema } from '../model/profile-schema.js';
import { parseControlFile } from '../validation/parse-control-file.js';
import { compile } from './batch.js';
import type { RecordOutcome } from './record-outcome.js';
import { canonicalJson, desiredStateDigest, desiredStateParts, rawRecordJson } from './desired-state.js';
import { WORKED_EXAMPLE_CONTROL, WORKED_EXAMPLE_PEOPLE as people } from '../fixtures/worked-example.js';

// Reference §2.11, adapted: research-institute becomes our code-valued department, phones use our schema.
const workedExample = {
  ...WORKED_EXAMPLE_CONTROL,
  instructions: WORKED_EXAMPLE_CONTROL.instructions.map((i) =>
    'source' in i && i.source === 'DEPT' ? { ...i, name: 'std:attribute:department' } : i,
  ),
};

function controlFile(json: unknown) {
  const r = parseControlFile(JSON.stringify(json));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.controlFile;
}

async function collect(it: AsyncIterable<RecordOutcome>) {
  const out: RecordOutcome[] = [];
  for await (const o of it) out.push(o);
  return out;
}

/** The log lines Haplo would write for these outcomes (creates/updates are the worker's business). */
const logLines = (outcomes: RecordOutcome[]) =>
  outcomes.flatMap((o) => [...o.errors.map((e) => `ERROR: ${e}`), ...o.notes]);

describe('compile(...).records', () => {
  it('reproduces the worked example of reference §2.11', async () => {
    const batch = compile(controlFile(workedExample));
    const outcomes = await collect(batch.records({ people: Readable.from([JSON.stringify(people)]) }));
    expect(outcomes.map((o) => [o.recordNumber, o.status, o.username])).toEqual([
      [0, 'ok', 'jb1001'],
      [1, 'ok', 'js2002'],
      [2, 'duplicate', 'js2002'],
      [3, 'incomplete', 'ab3003'],
      [4, 'no-username', undefined],
    ]);
    expect(logLines(outcomes)).toEqual([
      'ERROR: Duplicate username: js2002 (ignoring record 2)',
      'ERROR: Value in input data cannot be mapped for input field DEPT: PHYS (record 3, user ab3003)',
      'ERROR: Missing values in user: email (record 3, user ab3003)',
      'Record has missing data for username ab3003 (ignoring)',
      'ERROR: No username in record 4: {"FIRST":"No","LAST":"Identifier","EMAIL":"x@example.ac.uk"}',
    ]);
    expect(outcomes[0].desired).toEqual({
      username: 'jb1001',
      title: 'Dr',
      nameFirst: 'Joe',
      nameLast: 'Bloggs',
      email: 'joe.bloggs@example.ac.uk',
      groups: ['hres:group:researchers'],
      tags: {},
      profile: {
        'std:attribute:job-title': ['Lecturer', 'Admissions tutor'],
        'std:attribute:department': ['example:research-institute:chemistry'],
        'std:attribute:telephone': ['+441632960123'],
      },
    });
    expect(outcomes[1].desired).toEqual({
      username: 'js2002',
      nameFirst: 'Jane',
      nameLast: 'Smith',
      email: 'jane.smith@example.ac.uk',
      groups: ['hres:group:admin-staff'],
      tags: {},
      profile: { 'std:attribute:department': ['example:research-institute:history'] },
    });
    expect(rawRecordJson(outcomes[4].record)).toBe(JSON.stringify(people[4]));
  });

  it('numbers records across files in control-file order and finds duplicates case-insensitively', async () => {
    const json = { ...workedExample, files: { staff: { read: 'csv' }, students: { read: 'json' } } };
    const batch = compile(controlFile(json));
    const outcomes = await collect(
      batch.records((name) =>
        name === 'staff'
          ? () => Readable.from(['ID,FIRST,LAST,EMAIL\nJSmith,J,Smith,j@x\nab1,A,B,a@x\n'])
          : Readable.from([
              JSON.stringify([
                { ID: 'jsmith', FIRST: 'J', LAST: 'S', EMAIL: 'j@y' },
                { ID: 'cd2', FIRST: 'C', LAST: 'D', EMAIL: 'c@x' },
              ]),
            ]),
      ),
    );
    expect(outcomes.map((o) => [o.fileName, o.recordNumber, o.status, o.username])).toEqual([
      ['staff', 0, 'ok', 'jsmith'],
      ['staff', 1, 'ok', 'ab1'],
      ['students', 2, 'duplicate', 'jsmith'],
      ['students', 3, 'ok', 'cd2'],
    ]);
    expect(outcomes[2].errors).toEqual(['Duplicate username: jsmith (ignoring record 2)']);
  });

  it('skips the transform of records the caller vouches for, still finding later duplicates', async () => {
    const batch = compile(controlFile(workedExample));
    const asked: string[] = [];
    const outcomes: RecordOutcome[] = [];
    const files = { people: Readable.from([JSON.stringify(people)]) };
    for await (const chunk of batch.recordBatches(files, (username, record) => {
      asked.push(username);
      return { unchanged: (record as { ID?: string }).ID === 'js2002', recordJson: `json of ${username}` };
    }))
      outcomes.push(...chunk);
    // Asked once per new username, after the duplicate check (the duplicate js2002 and the record without
    // a username are never asked); the vouched-for record has no desired state and no lines.
    expect(asked).toEqual(['jb1001', 'js2002', 'ab3003']);
    expect(outcomes.map((o) => [o.recordNumber, o.status, o.username])).toEqual([
      [0, 'ok', 'jb1001'],
      [1, 'unchanged', 'js2002'],
      [2, 'duplicate', 'js2002'],
      [3, 'incomplete', 'ab3003'],
      [4, 'no-username', undefined],
    ]);
    expect(outcomes[1]).toMatchObject({ complete: true, errors: [], notes: [], recordJson: 'json of js2002' });
    expect(outcomes[0]!.recordJson).toBe('json of jb1001');
    expect(outcomes[1]!.desired).toBeUndefined();
    expect(outcomes[2]!.errors).toEqual(['Duplicate username: js2002 (ignoring record 2)']);
  });

  it('fails when a file has no data', async () => {
    const batch = compile(controlFile(workedExample));
    await expect(collect(batch.records({}))).rejects.toThrow('No data for file people');
  });

  it('keeps going past per-record conversion errors (complete, but with errors)', async () => {
    const json = {
      ...workedExample,
      instructions: [
        ...workedExample.instructions.slice(0, 5),
        { source: 'START', destination: 'profile', name: 'std:attribute:start-date', dateFormat: 'dd/MM/yyyy' },
      ],
    };
    const [o] = await collect(
      compile(controlFile(json)).records({
        people: Readable.from([JSON.stringify([{ ...people[1], START: '31/02/2020' }])]),
      }),
    );
    expect(o.status).toBe('ok');
    expect(o.errors).toEqual(['Invalid date value for input field START: 31/02/2020 (record 0, user js2002)']);
    expect(o.desired?.profile).toEqual({});
  });
});

describe('desiredStateDigest', () => {
  const a = {
    username: 'u',
    nameFirst: 'A',
    nameLast: 'B',
    email: 'e@x',
    groups: ['g'],
    tags: { x: '1', y: '2' },
    profile: { p: [{ street1: 's', country: 'GB' }] },
  };
  const b = {
    profile: { p: [{ country: 'GB', street1: 's' }] },
    tags: { y: '2', x: '1' },
    groups: ['g'],
    email: 'e@x',
    nameLast: 'B',
    nameFirst: 'A',
    username: 'u',
  };

  it('does not depend on key order', () => {
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(desiredStateDigest(a)).toBe(desiredStateDigest(b));
    expect(desiredStateDigest(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('desiredStateParts gives the same digest for every shape (its fast path and the general one)', () => {
    const shapes: object[] = [
      a,
      b,
      { ...a, title: 'Dr' },
      { ...a, title: undefined },
      { ...b, title: 'Prof "quoted"\n', nameFirst: 'Zoë', email: 'tab\there' },
      { ...a, extra: ['a member no DesiredUser has'] },
      { ...a, email: undefined },
    ];
    for (const shape of shapes) {
      const desired = shape as Parameters<typeof desiredStateParts>[0];
      expect(desiredStateParts(desired).digest).toBe(desiredStateDigest(desired));
    }
  });

  it('changes when any value changes', () => {
    expect(desiredStateDigest({ ...a, groups: ['h'] })).not.toBe(desiredStateDigest(a));
    expect(desiredStateDigest({ ...a, title: 'Dr' })).not.toBe(desiredStateDigest(a));
  });

  it('quotes every string exactly as JSON.stringify does', () => {
    const samples = [
      '',
      'plain text 123',
      'a"b',
      'a\\b',
      'tab\there',
      'nl\n',
      '\u0000\u001f\u007f',
      'é日本😀',
      '\ud800 lone',
      '~ }{ ][',
    ];
    for (const s of samples) {
      expect(canonicalJson(s)).toBe(JSON.stringify(s));
      expect(canonicalJson({ [s]: [s] })).toBe(JSON.stringify({ [s]: [s] }));
    }
  });

  it('is stable across releases for a known state', () => {
    expect(canonicalJson(a)).toBe(
      '{"email":"e@x","groups":["g"],"nameFirst":"A","nameLast":"B","profile":{"p":[{"country":"GB","street1":"s"}]},"tags":{"x":"1","y":"2"},"username":"u"}',
    );
  });

  it('the default schema is exported data', () => {
    expect(defaultProfileSchema.attributes.map((x) => x.code)).toContain('std:attribute:job-title');
  });
});
