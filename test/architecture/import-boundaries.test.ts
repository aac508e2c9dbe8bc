/**
 * The layout's rules (eslint.config.js, README "Layout") fire: services never import each other,
 * domain/ imports no I/O client and no store, a shared package imports only lower layers, files stay
 * under 300 lines. Each probe is a real file written into the tree where its rule applies (the
 * type-aware parser reads a linted file from disk, and tsconfig.test.json must include it, so lintText
 * on a made-up path is not reliable), linted once with the repository's own config, then removed.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
// One name per test process, so two runs at once never lint or delete each other's probes.
const tag = `__lint_probe_${process.pid}`;
const lines = (n: number) => Array.from({ length: n }, (_, i) => `export const v${i} = ${i};\n`).join('');

/** Probe files (repository-relative path → text); each names the case it stands for. */
const PROBES = {
  serviceImportsService: [
    `services/notify-worker/src/usecases/${tag}_service.ts`,
    "import * as other from '@usersync/apply-worker';\nexport const probe = other;\n",
  ],
  serviceImportsServiceFolder: [
    `services/notify-worker/src/usecases/${tag}_folder.ts`,
    "import * as other from '../../../apply-worker/src/index.js';\nexport const probe = other;\n",
  ],
  domainImportsPg: [
    `services/apply-worker/src/domain/${tag}_pg.ts`,
    "import pg from 'pg';\nexport const probe = pg;\n",
  ],
  domainImportsStore: [
    `services/apply-worker/src/domain/${tag}_store.ts`,
    "import * as store from '../store/plan.repository.js';\nexport const probe = store;\n",
  ],
  domainImportsService: [
    `services/apply-worker/src/domain/${tag}_other.ts`,
    "import * as other from '@usersync/key-service';\nexport const probe = other;\n",
  ],
  contractsImportsPlatform: [
    `packages/contracts/src/${tag}_layer.ts`,
    "import * as platform from '@usersync/platform';\nexport const probe = platform;\n",
  ],
  controlFileImportsContracts: [
    `packages/control-file/src/${tag}_layer.ts`,
    "import * as contracts from '@usersync/contracts';\nexport const probe = contracts;\n",
  ],
  tooLong: [`services/notify-worker/src/${tag}_long.ts`, lines(301)],
  // Controls: what the layout allows must lint clean.
  cleanDomain: [
    `services/apply-worker/src/domain/${tag}_clean.ts`,
    "import * as cf from '@usersync/control-file';\nimport * as contracts from '@usersync/contracts';\n" +
      'export const probe = [cf, contracts];\n',
  ],
  cleanStore: [
    `services/apply-worker/src/store/${tag}_clean.ts`,
    "import pg from 'pg';\nimport * as platform from '@usersync/platform';\nexport const probe = [pg, platform];\n",
  ],
  cleanLayer: [
    `packages/run-state/src/${tag}_clean.ts`,
    "import * as platform from '@usersync/platform';\nimport * as cf from '@usersync/control-file';\n" +
      'export const probe = [platform, cf];\n',
  ],
  exactly300: [`services/notify-worker/src/${tag}_300.ts`, lines(300)],
} as const satisfies Record<string, readonly [string, string]>;
type Probe = keyof typeof PROBES;

const paths = Object.values(PROBES).map(([path]) => join(repo, path));
const removeProbes = () => {
  for (const path of paths) rmSync(path, { force: true });
};
// A worker that dies mid-lint must not leave files in the tree either.
process.once('exit', removeProbes);

const found = new Map<Probe, ESLint.LintResult>();
const fired = (probe: Probe) => found.get(probe)!.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
const rulesOf = (probe: Probe) => fired(probe).map((m) => m.rule);

describe('layout rules (eslint.config.js)', () => {
  // One type-aware lint of every probe: it builds the program over the whole repository, slow on a busy machine.
  beforeAll(async () => {
    try {
      for (const [path, text] of Object.values(PROBES)) writeFileSync(join(repo, path), text);
      const eslint = new ESLint({ cwd: repo, errorOnUnmatchedPattern: true });
      const results = await eslint.lintFiles(paths);
      for (const [probe, [path]] of Object.entries(PROBES) as Array<[Probe, readonly [string, string]]>) {
        const result = results.find((r) => r.filePath === join(repo, path));
        if (!result) throw new Error(`eslint returned no result for ${path}`);
        found.set(probe, result);
      }
    } finally {
      removeProbes();
    }
  }, 120_000);
  afterAll(removeProbes);

  it('refuses a service importing another service', () => {
    expect(fired('serviceImportsService')).toContainEqual({
      rule: 'no-restricted-imports',
      message: expect.stringContaining('Services never import each other'),
    });
  });

  it('refuses a relative import into another service’s folder', () => {
    expect(fired('serviceImportsServiceFolder')).toContainEqual({
      rule: 'no-restricted-imports',
      message: expect.stringContaining('Services never import each other'),
    });
  });

  it('refuses I/O clients, store code and other services in domain/', () => {
    expect(fired('domainImportsPg')).toContainEqual({
      rule: 'no-restricted-imports',
      message: expect.stringContaining('domain/ is pure'),
    });
    expect(fired('domainImportsStore')).toContainEqual({
      rule: 'no-restricted-imports',
      message: expect.stringContaining('domain/ imports only domain code'),
    });
    // The domain/ rule replaces the service rule there, so it must carry the service ban too.
    expect(fired('domainImportsService')).toContainEqual({
      rule: 'no-restricted-imports',
      message: expect.stringContaining('Services never import each other'),
    });
  });

  it('refuses a shared package importing a higher layer (or, for control-file, any workspace)', () => {
    expect(fired('contractsImportsPlatform')).toContainEqual({
      rule: 'no-restricted-imports',
      message: expect.stringContaining('@usersync/contracts may import only no other workspace'),
    });
    expect(fired('controlFileImportsContracts')).toContainEqual({
      rule: 'no-restricted-imports',
      message: expect.stringContaining('@usersync/control-file may import only no other workspace'),
    });
  });

  it('refuses a file over 300 lines', () => {
    expect(rulesOf('tooLong')).toContain('max-lines');
  });

  it('lets domain/ use contracts and control-file, store/ use pg, run-state its lower layers, and 300 lines pass', () => {
    for (const probe of ['cleanDomain', 'cleanStore', 'cleanLayer', 'exactly300'] as const) {
      expect({ probe, fired: fired(probe) }).toEqual({ probe, fired: [] });
    }
  });
});
