import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { zipBundle } from '../../fixtures/oneroster.fixture.js';
import { compile, parseControlFile } from '../../index.js';
import { validateOneRosterBundle } from './oneroster-bundle.js';

// The README's sample (docs/samples/oneroster): zipped as the README says, it is a valid bundle, and its
// control file maps every user.
const dir = fileURLToPath(new URL('../../../../../docs/samples/oneroster/', import.meta.url));

describe('the OneRoster sample in docs/', () => {
  it('is a valid bulk bundle that its control file maps', async () => {
    const files = Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.csv'))
        .map((f) => [f, readFileSync(`${dir}${f}`, 'utf8')]),
    );
    const zip = await zipBundle(files);
    const once = async function* () {
      yield zip;
    };
    expect((await validateOneRosterBundle(once())).problems).toEqual([]);
    const parsed = parseControlFile(readFileSync(`${dir}_control.json`, 'utf8'));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const outcomes = [];
    for await (const o of compile(parsed.controlFile).records({ roster: once })) outcomes.push(o);
    expect(outcomes.map((o) => [o.status, o.desired?.username, o.desired?.groups])).toEqual([
      ['ok', 'ajones', ['students']],
      ['ok', 'bsmith', ['students']],
      ['ok', 'cli', ['students']],
      ['ok', 'mrsgreen', ['staff']],
    ]);
  });
});
