/**
 * The layout's rules (eslint.config.js) fire: each planted violation below is linted as if it were
 * the named file, and must be reported by the rule that guards it.
 */
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function rulesFiredOn(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('layout rules', () => {
  // The first lint builds the type-aware program over the whole repository: slow on a busy machine.
  beforeAll(() => rulesFiredOn('services/apply-worker/src/domain/hold-policy.ts', 'export {};\n'), 120_000);

  it('refuses a service importing another service', async () => {
    const fired = await rulesFiredOn(
      'services/notify-worker/src/usecases/deliver-target.ts',
      "import { createApp } from '@usersync/apply-worker';\nexport const app = createApp;\n",
    );
    expect(fired).toContain('no-restricted-imports');
  });

  it('refuses I/O and store imports in domain/', async () => {
    expect(
      await rulesFiredOn(
        'services/apply-worker/src/domain/hold-policy.ts',
        "import type { Pool } from 'pg';\nexport type P = Pool;\n",
      ),
    ).toContain('no-restricted-imports');
    expect(
      await rulesFiredOn(
        'services/apply-worker/src/domain/hold-policy.ts',
        "import { loadBaseline } from '../store/baseline.repository.js';\nexport const l = loadBaseline;\n",
      ),
    ).toContain('no-restricted-imports');
  });

  it('refuses a shared package importing a higher layer', async () => {
    const fired = await rulesFiredOn(
      'packages/platform/src/errors.ts',
      "import { getRun } from '@usersync/run-state';\nexport const g = getRun;\n",
    );
    expect(fired).toContain('no-restricted-imports');
  });

  it('refuses a file over 300 lines', async () => {
    const code = Array.from({ length: 301 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
    expect(await rulesFiredOn('services/apply-worker/src/domain/hold-policy.ts', code)).toContain('max-lines');
  });

  it('allows what the layout allows', async () => {
    const fired = await rulesFiredOn(
      'services/apply-worker/src/domain/hold-policy.ts',
      "import { AppError } from '@usersync/platform';\nexport const E = AppError;\n",
    );
    expect(fired).toEqual([]);
  });
});
