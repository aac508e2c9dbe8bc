/** The one-owner-per-schema check (scripts/check-schema-ownership.mjs) fires, and the tree passes it. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const script = join(repo, 'scripts/check-schema-ownership.mjs');
const planted = mkdtempSync(join(tmpdir(), 'ownership-'));
afterAll(() => rmSync(planted, { recursive: true, force: true }));

function plant(file: string, text: string): void {
  mkdirSync(dirname(join(planted, file)), { recursive: true });
  writeFileSync(join(planted, file), text);
}

async function check(root: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [script, '--root', root]);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, out: e.stderr };
  }
}

describe('schema ownership check', () => {
  it('fails on SQL naming another owner’s schema, naming file and line', async () => {
    plant(
      'services/notify-worker/src/store/report.ts',
      'const a = 1;\nexport const q = `SELECT text FROM runs.run_log WHERE run_id = $1`;\n',
    );
    plant('web/src/store/peek.ts', 'export const q = \'SELECT * FROM "directory"."user"\';\n');
    const { code, out } = await check(planted);
    expect(code).toBe(1);
    expect(out).toContain('services/notify-worker/src/store/report.ts:2: names runs.run_log');
    expect(out).toContain('web/src/store/peek.ts:1');
  });

  it('lets owners name their own schema, lookup read directory, and ignores code that is not SQL', async () => {
    const clean = mkdtempSync(join(tmpdir(), 'ownership-clean-'));
    try {
      const put = (file: string, text: string) => {
        mkdirSync(dirname(join(clean, file)), { recursive: true });
        writeFileSync(join(clean, file), text);
      };
      put('services/apply-worker/src/store/u.ts', 'export const q = \'SELECT id FROM directory."user"\';\n');
      put('services/lookup-service/src/store/u.ts', "export const q = 'SELECT id FROM directory.history';\n");
      put('packages/run-state/src/r.ts', "export const q = 'SELECT * FROM runs.run';\n");
      put('web/src/routes/x.ts', "export const label = 'runs.length keys.create'; export const n = [].length;\n");
      put('services/notify-worker/src/x.test.ts', "export const q = 'SELECT * FROM runs.run';\n");
      expect(await check(clean)).toMatchObject({ code: 0 });
    } finally {
      rmSync(clean, { recursive: true, force: true });
    }
  });

  it('passes on this repository', async () => {
    const { code, out } = await check(repo);
    expect(out).toContain('every SQL string names only its owner');
    expect(code).toBe(0);
  });
});
