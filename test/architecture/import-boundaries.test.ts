/**
 * The layout's rules (eslint.config.js) fire (domain purity, file length; the service-to-service and
 * package-layer rules are configured but not yet proven here, see issue 15): each planted violation below is linted as if it were
 * the named file, and must be reported by the rule that guards it.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function rulesFiredOn(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

// Each lint builds the type-aware program over the whole repository: slow on a busy machine.
describe('layout rules', { timeout: 120_000 }, () => {
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
